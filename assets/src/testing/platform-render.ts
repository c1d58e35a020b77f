// What every platform program's tests need from assets: a config that is
// valid (or the test stops, saying why), and real renders to read the
// program's input from.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateClusterConfig } from '../config/parse.ts';
import type { ClusterConfig, ClusterConfigInput } from '../config/schema.ts';
import { readPlatformProgramInput, type PlatformProgramInput } from '../render/platform-input.ts';
import type { EncryptionKeyRotationStep } from '../render/encryption.ts';
import { applyRenderPlan, planClusterRender } from '../render/render.ts';

/** The validated config of a fixture; an invalid fixture stops the test with the validation's message. */
export function fixtureConfig(input: ClusterConfigInput): ClusterConfig {
  const result = validateClusterConfig(input);
  if (!result.ok) throw new Error(`fixture config is invalid:\n${result.message}`);
  return result.config;
}

/** A temporary asset directory a test renders into, and may render into again (reusing the keys), until it removes it. */
export interface PlatformRenderDirectory {
  readonly dir: string;
  /** Renders `config`'s assets for real (PKI, Ignition) and reads the program's input back. */
  render(config: ClusterConfig): Promise<PlatformProgramInput>;
  /** Renders one step of an encryption-key rotation (as `strata rotate encryption-key` does) and reads the input back. */
  renderRotationStep(config: ClusterConfig, step: EncryptionKeyRotationStep): Promise<PlatformProgramInput>;
  /** Reads the program's input of `config` from what is rendered, without rendering. */
  input(config: ClusterConfig): Promise<PlatformProgramInput>;
  remove(): Promise<void>;
}

export async function platformRenderDirectory(platform: string): Promise<PlatformRenderDirectory> {
  const dir = await mkdtemp(join(tmpdir(), `strata-${platform}-render-`));
  return {
    dir,
    async render(config) {
      await applyRenderPlan(await planClusterRender({ config, dir }));
      return readPlatformProgramInput(dir, config);
    },
    async renderRotationStep(config, step) {
      await applyRenderPlan(await planClusterRender({ config, dir, encryptionKeyRotation: step }));
      return readPlatformProgramInput(dir, config);
    },
    input: (config) => readPlatformProgramInput(dir, config),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
