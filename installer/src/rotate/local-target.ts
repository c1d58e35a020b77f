// The rotation's view of a running local cluster: each controller's own API
// server, the file it reads its keys from, the admin's credentials and etcd's.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ASSET_PATHS, CERT, clusterTopology, KEY, NODE_PATHS, type ClusterConfig } from '@strata/assets';
import { resolveBinary } from '@strata/binaries';
import { controllerRoot, type ClusterDirectory } from '@strata/platform-local';
import type { ClientTls } from '@strata/host';
import { EncryptionRotationError, type RotationTarget } from './encryption-key.ts';

function adminTls(kubeConfig: KubeConfig, path: string): ClientTls {
  const user = kubeConfig.getCurrentUser();
  const cluster = kubeConfig.getCurrentCluster();
  if (user?.certData === undefined || user.keyData === undefined || cluster?.caData === undefined) {
    throw new EncryptionRotationError(`${path} does not embed the admin's client certificate, key and the CA`, {
      path,
    });
  }
  const decode = (data: string) => Buffer.from(data, 'base64').toString();
  return { ca: decode(cluster.caData), cert: decode(user.certData), key: decode(user.keyData) };
}

export async function localRotationTarget(config: ClusterConfig, directory: ClusterDirectory): Promise<RotationTarget> {
  const topology = clusterTopology(config);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(await readFile(directory.kubeconfigPath, 'utf8'));
  const tls = adminTls(kubeConfig, directory.kubeconfigPath);
  const asset = (path: string) => join(directory.assetsDir, path);
  return {
    apiServers: topology.controllers.map((controller) => ({
      name: controller.name,
      url: controller.apiServerUrl,
      tls,
      configPath: join(controllerRoot(directory.path, controller.name), NODE_PATHS.encryptionConfig),
    })),
    kubeConfig,
    etcd: {
      etcdctl: await resolveBinary('etcdctl'),
      endpoints: topology.controllers.map((controller) => `https://${controller.etcdHost}:2379`).join(','),
      caPath: asset(CERT(ASSET_PATHS.etcdCa)),
      certPath: asset(CERT(ASSET_PATHS.apiserverEtcdClient)),
      keyPath: asset(KEY(ASSET_PATHS.apiserverEtcdClient)),
    },
  };
}
