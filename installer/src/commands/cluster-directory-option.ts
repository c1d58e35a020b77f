import { ClusterConfigError, loadClusterConfig } from '@strata/assets';
import { ClusterDirectory, defaultClusterDir } from '@strata/platform-local';
import { printError } from '../error-output.ts';

/** The --config / --dir options of the commands that act on a running `strata up`. */
export interface ClusterDirectoryOptions {
  readonly config?: string;
  readonly dir?: string;
}

/**
 * The directory of the local cluster these options name: --dir, else that of
 * the cluster named in --config, else that of the cluster named "local". An
 * invalid --config is reported and exits 1.
 */
export async function clusterDirectoryOf(options: ClusterDirectoryOptions): Promise<ClusterDirectory> {
  if (options.dir !== undefined) return new ClusterDirectory(options.dir);
  let name = 'local';
  if (options.config !== undefined) {
    try {
      name = (await loadClusterConfig(options.config)).name;
    } catch (error) {
      if (!(error instanceof ClusterConfigError)) throw error;
      printError(error);
      process.exit(1);
    }
  }
  return new ClusterDirectory(defaultClusterDir(name));
}
