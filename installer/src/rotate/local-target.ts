// The rotation's view of a running local cluster: each controller's own API
// server, the file it reads its keys from, the admin's credentials and etcd's.
import { join } from 'node:path';
import { clusterTopology, NODE_PATHS, type ClusterConfig } from '@strata/assets';
import { controllerRoot, type ClusterDirectory } from '@strata/platform-local';
import { SECRET_FILE_MODE, writeFileAtomic } from '@strata/host';
import { readAdminCredentials } from './admin-tls.ts';
import type { RotationTarget } from './encryption-key.ts';
import { rotationEtcd } from './etcd-access.ts';

export async function localRotationTarget(config: ClusterConfig, directory: ClusterDirectory): Promise<RotationTarget> {
  const topology = clusterTopology(config);
  const { kubeConfig, tls } = await readAdminCredentials(directory.kubeconfigPath);
  const configPaths = topology.controllers.map((controller) =>
    join(controllerRoot(directory.path, controller.name), NODE_PATHS.encryptionConfig),
  );
  return {
    apiServers: topology.controllers.map((controller) => ({
      name: controller.name,
      url: controller.apiServerUrl,
      tls,
    })),
    kubeConfig,
    etcd: await rotationEtcd(config, directory.assetsDir),
    // The controllers' roots are on this machine: nothing to reach.
    reach: () => Promise.resolve(),
    async deliver(text) {
      for (const path of configPaths) await writeFileAtomic(path, text, SECRET_FILE_MODE);
    },
  };
}
