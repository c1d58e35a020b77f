// The rotation's view of a cluster whose controllers are other machines, bare
// metal or cloud alike: each controller's own API server, etcd on the
// controllers, the admin's credentials from the cluster directory, and each
// controller's encryption configuration written over SSH (through a jump host
// when one is given) with the identity the user holds.
import { join } from 'node:path';
import type { ClusterConfig } from '@strata/assets';
import type { SshJump } from '@strata/platform-bare-metal';
import { KNOWN_HOSTS } from '../install/bare-metal/driver.ts';
import type { InstallDirectory } from '../install/cluster-dir.ts';
import { readAdminCredentials } from './admin-tls.ts';
import type { RotationTarget } from './encryption-key.ts';
import { rotationEtcd } from './etcd-access.ts';
import { sshDelivery, type WithheldFiles } from './ssh-delivery.ts';

/** How the person rotating reaches the controllers: what `--ssh-*` give. */
export interface RotationSsh {
  readonly identityFile: string;
  readonly port: number;
  readonly user: string;
  readonly jump?: SshJump;
}

export interface SshControllerEndpoint {
  /** The machine's (and node's) name: its host key is pinned under it. */
  readonly name: string;
  /** Where SSH connects (from the jump host, when there is one). */
  readonly sshHost: string;
  /** This controller's own API server (not a load balancer). */
  readonly apiServerUrl: string;
}

export interface SshControllersTargetInput {
  readonly config: ClusterConfig;
  readonly directory: InstallDirectory;
  readonly controllers: readonly SshControllerEndpoint[];
  readonly ssh: RotationSsh;
  /** Per controller, the withheld files of its Ignition as rendered now (the encryption configuration among them). */
  readonly withheld: WithheldFiles;
  /** The name every API server's certificate carries, when the URL's host is an address it may not carry. */
  readonly apiServerName?: string;
}

export async function sshControllersTarget(input: SshControllersTargetInput): Promise<RotationTarget> {
  const { config, directory, controllers, ssh } = input;
  const { kubeConfig, tls } = await readAdminCredentials(directory.kubeconfigPath);
  const serverTls = input.apiServerName === undefined ? tls : { ...tls, servername: input.apiServerName };
  const delivery = sshDelivery(
    controllers.map((controller) => ({ name: controller.name, host: controller.sshHost })),
    {
      identityFile: ssh.identityFile,
      knownHostsFile: join(directory.path, KNOWN_HOSTS),
      port: ssh.port,
      user: ssh.user,
      ...(ssh.jump === undefined ? {} : { jump: ssh.jump }),
    },
    input.withheld,
  );
  return {
    apiServers: controllers.map((controller) => ({
      name: controller.name,
      url: controller.apiServerUrl,
      tls: serverTls,
    })),
    kubeConfig,
    etcd: await rotationEtcd(config, directory.assetsDir),
    ...delivery,
  };
}
