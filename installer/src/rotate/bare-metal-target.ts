// The rotation's view of a bare-metal cluster that `strata install` made:
// each controller's own API server by its machine's name, etcd on the
// controllers, the admin's credentials from the cluster directory, and the
// controllers' files reached over SSH with the identity the install used.
import { join } from 'node:path';
import { ASSET_PATHS, CERT, clusterTopology, KEY, type ClusterConfig } from '@strata/assets';
import { resolveBinary } from '@strata/binaries';
import { planBareMetal, readRenderedIgnition } from '@strata/platform-bare-metal';
import { KNOWN_HOSTS } from '../install/bare-metal/driver.ts';
import type { InstallDirectory } from '../install/cluster-dir.ts';
import { readAdminCredentials } from './admin-tls.ts';
import { EncryptionRotationError, type RotationTarget } from './encryption-key.ts';
import { sshDelivery } from './ssh-delivery.ts';

export interface BareMetalRotationSsh {
  readonly identityFile: string;
  readonly port: number;
  readonly user: string;
}

export async function bareMetalRotationTarget(
  config: ClusterConfig,
  directory: InstallDirectory,
  ssh: BareMetalRotationSsh,
): Promise<RotationTarget> {
  const topology = clusterTopology(config);
  const machines = (config.bareMetal?.machines ?? []).filter((machine) => machine.role === 'controller');
  if (machines.length === 0) {
    throw new EncryptionRotationError(`${directory.configPath} lists no bare-metal controller`, {
      config: directory.configPath,
    });
  }
  const { kubeConfig, tls } = await readAdminCredentials(directory.kubeconfigPath);
  // The rendered URL is each controller's view of itself (127.0.0.1); from here it is the machine's name,
  // which its serving certificate carries.
  const port = new URL(topology.apiServerUrl).port || '443';
  const asset = (path: string) => join(directory.assetsDir, path);
  const delivery = sshDelivery(
    machines.map((machine) => ({ name: machine.name, host: machine.domain })),
    {
      identityFile: ssh.identityFile,
      knownHostsFile: join(directory.path, KNOWN_HOSTS),
      port: ssh.port,
      user: ssh.user,
    },
    async () => planBareMetal({ config, ignition: await readRenderedIgnition(directory.assetsDir, config) }).withheld,
  );
  return {
    apiServers: machines.map((machine) => ({ name: machine.name, url: `https://${machine.domain}:${port}`, tls })),
    kubeConfig,
    etcd: {
      etcdctl: await resolveBinary('etcdctl'),
      endpoints: topology.controllers.map((controller) => `https://${controller.etcdHost}:2379`).join(','),
      caPath: asset(CERT(ASSET_PATHS.etcdCa)),
      certPath: asset(CERT(ASSET_PATHS.apiserverEtcdClient)),
      keyPath: asset(KEY(ASSET_PATHS.apiserverEtcdClient)),
    },
    ...delivery,
  };
}
