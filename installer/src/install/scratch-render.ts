// What `strata plan` previews against: the config rendered into a scratch
// directory, never into the cluster directory. A plan only looks; a render
// into the directory would change what the next install compares against,
// and a plan killed midway would leave a half-written directory behind.
import { cp, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyRenderPlan, planClusterRender, type ClusterConfig } from '@strata/assets';
import type { InstallDirectory } from './cluster-dir.ts';

export interface ScratchRender {
  /** The scratch directory (mode 0700); everything in it is removed when the work ends. */
  readonly root: string;
  /** The rendered assets, in strata render's layout. */
  readonly assetsDir: string;
}

async function hasAssets(directory: InstallDirectory): Promise<boolean> {
  try {
    return (await stat(directory.assetsDir)).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Renders the config into a fresh scratch directory and runs `work` with it.
 * When the cluster directory already has assets, they are copied in first, so
 * that the render reuses their keys (the same CA, the same certificates) and
 * the preview shows only what the config changes.
 */
export async function withScratchRender<T>(
  options: {
    readonly config: ClusterConfig;
    /** The user's config file: the render refuses to overwrite it. */
    readonly configPath: string;
    readonly directory: InstallDirectory;
    readonly progress: (message: string) => void;
  },
  work: (scratch: ScratchRender) => Promise<T>,
): Promise<T> {
  // mkdtemp makes the directory 0700: copied keys stay private to this user.
  const root = await mkdtemp(join(tmpdir(), 'strata-plan-'));
  try {
    const assetsDir = join(root, 'assets');
    if (await hasAssets(options.directory)) {
      options.progress(`rendering the config over a copy of ${options.directory.assetsDir} (its keys are reused)`);
      await cp(options.directory.assetsDir, assetsDir, { recursive: true, preserveTimestamps: true });
    } else {
      options.progress('rendering the config into a scratch directory (the cluster directory is not written)');
    }
    const plan = await planClusterRender({ config: options.config, dir: assetsDir, configPath: options.configPath });
    await applyRenderPlan(plan);
    return await work({ root, assetsDir });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
