// The rotation's view of a running local cluster: each controller's own API
// server, the file it reads its keys from, the admin's credentials and etcd's.
import { join } from 'node:path';
import { ASSET_PATHS, CERT, clusterTopology, KEY, NODE_PATHS, type ClusterConfig } from '@strata/assets';
import { resolveBinary } from '@strata/binaries';
import { controllerRoot, type ClusterDirectory } from '@strata/platform-local';
import { SECRET_FILE_MODE, writeFileAtomic } from '@strata/host';
import { readAdminCredentials } from './admin-tls.ts';
import type { RotationTarget } from './encryption-key.ts';

export async function localRotationTarget(config: ClusterConfig, directory: ClusterDirectory): Promise<RotationTarget> {
  const topology = clusterTopology(config);
  const { kubeConfig, tls } = await readAdminCredentials(directory.kubeconfigPath);
  const asset = (path: string) => join(directory.assetsDir, path);
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
    etcd: {
      etcdctl: await resolveBinary('etcdctl'),
      endpoints: topology.controllers.map((controller) => `https://${controller.etcdHost}:2379`).join(','),
      caPath: asset(CERT(ASSET_PATHS.etcdCa)),
      certPath: asset(CERT(ASSET_PATHS.apiserverEtcdClient)),
      keyPath: asset(KEY(ASSET_PATHS.apiserverEtcdClient)),
    },
    // The controllers' roots are on this machine: nothing to reach.
    reach: () => Promise.resolve(),
    async deliver(text) {
      for (const path of configPaths) await writeFileAtomic(path, text, SECRET_FILE_MODE);
    },
  };
}
