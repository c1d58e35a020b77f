// The rotation's view of a bare-metal cluster that `strata install` made:
// each controller by its machine's name (SSH and its own API server alike),
// its withheld files as the boot server's split leaves them.
import { clusterTopology, type ClusterConfig } from '@strata/assets';
import { readRenderedIgnition, withheldFiles } from '@strata/platform-bare-metal';
import type { InstallDirectory } from '../install/cluster-dir.ts';
import { EncryptionRotationError, type RotationTarget } from './encryption-key.ts';
import { sshControllersTarget, type RotationSsh } from './ssh-controllers-target.ts';

export async function bareMetalRotationTarget(
  config: ClusterConfig,
  directory: InstallDirectory,
  ssh: RotationSsh,
): Promise<RotationTarget> {
  const machines = (config.bareMetal?.machines ?? []).filter((machine) => machine.role === 'controller');
  if (machines.length === 0) {
    throw new EncryptionRotationError(`${directory.configPath} lists no bare-metal controller`, {
      config: directory.configPath,
    });
  }
  // The rendered URL is each controller's view of itself (127.0.0.1); from here it is the machine's name,
  // which its serving certificate carries.
  const port = new URL(clusterTopology(config).apiServerUrl).port || '443';
  return sshControllersTarget({
    config,
    directory,
    controllers: machines.map((machine) => ({
      name: machine.name,
      sshHost: machine.domain,
      apiServerUrl: `https://${machine.domain}:${port}`,
    })),
    ssh,
    withheld: async () => withheldFiles({ config, ignition: await readRenderedIgnition(directory.assetsDir, config) }),
  });
}
