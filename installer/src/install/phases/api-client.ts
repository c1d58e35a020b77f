// The admin client of the cluster being installed, from the rendered kubeconfig.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ASSET_PATHS, CERT } from '@strata/assets';
import type { InstallDirectory } from '../cluster-dir.ts';

export function adminKubeConfig(directory: InstallDirectory): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(directory.kubeconfigPath);
  return kubeConfig;
}

/** The rendered cluster CA certificate: what the served chain must verify against. */
export async function clusterCaPem(directory: InstallDirectory): Promise<string> {
  return readFile(join(directory.assetsDir, CERT(ASSET_PATHS.clusterCa)), 'utf8');
}
