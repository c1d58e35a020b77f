// A preflight check every platform shares: the cluster's ranges against this
// machine's networks (the config itself was loaded without them).
import { ClusterConfigError, loadClusterConfig } from '@strata/assets';

/** The failure to list, or undefined when the ranges overlap none of this machine's networks. */
export async function hostNetworksFailure(configPath: string): Promise<string | undefined> {
  try {
    await loadClusterConfig(configPath);
    return undefined;
  } catch (error) {
    if (!(error instanceof ClusterConfigError)) throw error;
    return `the cluster's ranges and this machine's networks:\n${error.message}`;
  }
}
