// How the rotation reads etcd: on every controller's client port, with the
// API server's own etcd client certificate from the asset directory.
import { join } from 'node:path';
import { ASSET_PATHS, CERT, clusterTopology, KEY, type ClusterConfig } from '@strata/assets';
import { resolveBinary } from '@strata/binaries';
import type { RotationEtcd } from './encryption-key.ts';

export async function rotationEtcd(config: ClusterConfig, assetsDir: string): Promise<RotationEtcd> {
  const asset = (path: string) => join(assetsDir, path);
  return {
    etcdctl: await resolveBinary('etcdctl'),
    endpoints: clusterTopology(config)
      .controllers.map((controller) => `https://${controller.etcdHost}:2379`)
      .join(','),
    caPath: asset(CERT(ASSET_PATHS.etcdCa)),
    certPath: asset(CERT(ASSET_PATHS.apiserverEtcdClient)),
    keyPath: asset(KEY(ASSET_PATHS.apiserverEtcdClient)),
  };
}
