// One rotation step through the renderer, as every platform's rotation takes it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  applyRenderPlan,
  ASSET_PATHS,
  clusterTopology,
  planClusterRender,
  type ClusterConfig,
  type EncryptionKeyRotationStep,
} from '@strata/assets';
import type { ClusterDirectory } from '@strata/platform-local';
import { EncryptionRotationError } from './encryption-key.ts';

/**
 * One rotation step through the renderer, refusing a plan that would change
 * anything but the keys and the controllers' Ignition that carries them: a
 * config other than the one the cluster runs would re-render it.
 */
export async function renderStep(
  config: ClusterConfig,
  directory: Pick<ClusterDirectory, 'path' | 'assetsDir'>,
  step: EncryptionKeyRotationStep,
) {
  const plan = await planClusterRender({ config, dir: directory.assetsDir, encryptionKeyRotation: step });
  const allowed = new Set([
    ASSET_PATHS.encryptionConfig,
    ...clusterTopology(config).controllers.map((controller) => ASSET_PATHS.ignition(controller.name)),
  ]);
  const foreign = [...plan.writes.map((file) => file.path), ...plan.deletes].filter((path) => !allowed.has(path));
  if (foreign.length > 0) {
    throw new EncryptionRotationError(
      `the config given is not the one ${directory.path} was rendered from: rotating with it would also rewrite ${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}. Pass the --config the cluster runs with.`,
      { dir: directory.path, foreign: foreign.length },
    );
  }
  await applyRenderPlan(plan);
  return readFile(join(directory.assetsDir, ASSET_PATHS.encryptionConfig), 'utf8');
}
