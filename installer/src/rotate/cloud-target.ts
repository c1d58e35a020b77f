// The rotation's view of a cloud cluster that `strata install` made: each
// controller at the private address its stack outputs give (SSH through the
// user's jump host when one is given), its own API server at that address
// checked against the API's name, which its certificate carries, and its
// encryption configuration from the controller's Ignition as rendered now
// (the whole config, which its config object holds too).
import { clusterTopology, readPlatformProgramInput, withholdSecrets, type ClusterConfig } from '@strata/assets';
import type { PlatformStackOutputs } from '@strata/api';
import type { InstallDirectory } from '../install/cluster-dir.ts';
import { EncryptionRotationError, type RotationTarget } from './encryption-key.ts';
import { sshControllersTarget, type RotationSsh, type SshControllerEndpoint } from './ssh-controllers-target.ts';

/** Each controller of the config with the address its stack outputs give; refuses one the outputs lack. */
export function cloudControllers(config: ClusterConfig, outputs: PlatformStackOutputs): SshControllerEndpoint[] {
  const topology = clusterTopology(config);
  const port = new URL(topology.apiServerUrl).port || '443';
  return topology.controllers.map((controller) => {
    const node = outputs.nodes.find(
      (candidate) => candidate.role === 'controller' && candidate.name === controller.name,
    );
    if (node?.address === undefined) {
      throw new EncryptionRotationError(
        `the stack outputs give no address for controller ${controller.name} (nodes[].address): run \`strata install\` ` +
          'again so that the stack records it',
        { controller: controller.name, field: 'nodes[].address' },
      );
    }
    const host = node.address.includes(':') ? `[${node.address}]` : node.address;
    return { name: controller.name, sshHost: node.address, apiServerUrl: `https://${host}:${port}` };
  });
}

export function cloudRotationTarget(
  config: ClusterConfig,
  directory: InstallDirectory,
  outputs: PlatformStackOutputs,
  ssh: RotationSsh,
): Promise<RotationTarget> {
  return sshControllersTarget({
    config,
    directory,
    controllers: cloudControllers(config, outputs),
    ssh,
    apiServerName: clusterTopology(config).apiDnsName,
    withheld: async () => {
      const { ignition } = await readPlatformProgramInput(directory.assetsDir, config);
      return new Map(
        clusterTopology(config).controllers.map((controller) => {
          const rendered = ignition.get(controller.name);
          if (rendered === undefined) {
            throw new EncryptionRotationError(`the render holds no Ignition config for controller ${controller.name}`, {
              controller: controller.name,
            });
          }
          return [controller.name, withholdSecrets(rendered, 'controller').withheld];
        }),
      );
    },
  });
}
