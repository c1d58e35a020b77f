import { resolve } from 'node:path';
import { clusterTopology } from '../topology/topology.ts';
import type { AssetDefinition } from './asset.ts';
import { applyRenderPlan, planRender, type RenderPlan } from './engine.ts';
import type { RenderConfig } from './render-config.ts';
import type { RenderInput } from './render-input.ts';
import type { EncryptionKeyRotationStep } from './encryption.ts';
import { authAssets } from './catalog/auth.ts';
import { joinTokenAssets } from './catalog/join-tokens.ts';
import { ignitionAssets } from './catalog/ignition.ts';
import { inventoryAsset } from './catalog/inventory.ts';
import { manifestsAsset } from './catalog/manifests.ts';
import { pkiAssets, PKI_ASSET_IDS } from './catalog/pki.ts';
import { staticPodAssets } from './catalog/static-pods.ts';
import { consoleAssets } from './catalog/console.ts';
import { StrataError } from '@strata/api';
import { resolveBinary } from '@strata/binaries';
import { hasSnippets, translateSnippets, type ClusterSnippets } from '../snippets/translate.ts';

export class RenderTargetError extends StrataError {}

/** Every asset of a cluster, as one graph. */
export function clusterAssets(input: RenderInput): AssetDefinition<RenderInput>[] {
  const pki = pkiAssets(input);
  const auth = authAssets(input);
  const console = consoleAssets(input);
  const certificateHolders = [
    ...pki.filter((asset) => asset.id !== PKI_ASSET_IDS.serviceAccount).map((asset) => asset.id),
    ...auth.map((asset) => asset.id),
    ...console.map((asset) => asset.id),
  ];
  return [
    ...pki,
    ...auth,
    ...console,
    ...joinTokenAssets(input),
    ...staticPodAssets(input),
    manifestsAsset(input),
    ...ignitionAssets(input),
    inventoryAsset(certificateHolders),
  ];
}

export function renderInput(
  config: RenderConfig,
  encryptionKeyRotation?: EncryptionKeyRotationStep,
  snippets?: ClusterSnippets,
): RenderInput {
  return {
    config,
    topology: clusterTopology(config),
    ...(encryptionKeyRotation ? { encryptionKeyRotation } : {}),
    ...(snippets ? { snippets } : {}),
  };
}

export interface RenderOptions {
  readonly config: RenderConfig;
  readonly dir: string;
  /** The user's cluster.yaml: never written, whatever the directory. */
  readonly configPath?: string;
  readonly now?: Date;
  /** Applies one step of an encryption key rotation to the stored keys; everything else renders as usual. */
  readonly encryptionKeyRotation?: EncryptionKeyRotationStep;
  /** The butane binary for the config's snippets; `resolveBinary('butane')` when the config has snippets. */
  readonly butanePath?: string;
}

/** The config's snippets through Butane; no Butane is resolved for a config without them. */
async function snippetsOf(options: RenderOptions): Promise<ClusterSnippets | undefined> {
  if (!hasSnippets(options.config)) return undefined;
  const butanePath = options.butanePath ?? (await resolveBinary('butane'));
  return translateSnippets(options.config, { butanePath });
}

export async function planClusterRender(options: RenderOptions): Promise<RenderPlan> {
  const input = renderInput(options.config, options.encryptionKeyRotation, await snippetsOf(options));
  const plan = await planRender({
    dir: options.dir,
    assets: clusterAssets(input),
    input,
    ...(options.now ? { now: options.now } : {}),
  });
  if (options.configPath !== undefined) {
    const configPath = resolve(options.configPath);
    const clash = [...plan.writes.map((file) => file.path), ...plan.deletes].find(
      (path) => resolve(plan.dir, path) === configPath,
    );
    if (clash !== undefined) {
      throw new RenderTargetError(
        `rendering into ${plan.dir} would overwrite the cluster config ${configPath}; choose another --dir`,
        {
          dir: plan.dir,
          configPath,
        },
      );
    }
  }
  return plan;
}

export { applyRenderPlan };
