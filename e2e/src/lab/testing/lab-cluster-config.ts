// A bare-metal cluster config for the lab's machines, through the real parser: one controller and the given workers,
// each named by its MAC, in the lab's example domain, on Strata's node image (os.name strata), pulling every image
// through the lab's registry when the caller names it as their mirror.
import type { ClusterConfig, ClusterConfigInput } from '@strata/assets';
import { fixtureConfig } from '@strata/assets/testing';
import { sshEd25519PublicKey } from '@strata/node-image/testing';

export interface LabMachineName {
  readonly name: string;
  readonly mac: string;
  /**
   * A worker's update group (its update.conf's GROUP=): the worker goes into a pool of that name with that
   * `updateGroup`, as a canary pool would; the other workers are in the pool `general`, in the OS channel's group.
   */
  readonly updateGroup?: string;
}

const GENERAL_POOL = 'general';

export const LAB_BASE_DOMAIN = 'lab.example.com';

export interface LabClusterOptions {
  /** The lab's registry as the mirror of these registries (`registryMirrors`); none when unset. */
  readonly mirror?: { readonly registries: readonly string[]; readonly endpoint: string; readonly ca: string };
}

export function labClusterConfig(
  controller: LabMachineName,
  workers: readonly LabMachineName[],
  options: LabClusterOptions = {},
): ClusterConfig {
  const machine = (spec: LabMachineName, role: 'controller' | 'worker') => ({
    name: spec.name,
    mac: spec.mac,
    domain: `${spec.name}.${LAB_BASE_DOMAIN}`,
    role,
    ...(role === 'worker' ? { pool: spec.updateGroup ?? GENERAL_POOL } : {}),
  });
  const groups = [
    ...new Set(workers.flatMap((worker) => (worker.updateGroup === undefined ? [] : [worker.updateGroup]))),
  ];
  // Pools are declared only when a worker has its own group: otherwise each machine's pool is implied.
  const workerPools =
    groups.length === 0
      ? undefined
      : [
          ...(workers.some((worker) => worker.updateGroup === undefined) ? [{ name: GENERAL_POOL }] : []),
          ...groups.map((group) => ({ name: group, updateGroup: group })),
        ];
  const mirror = options.mirror;
  const input: ClusterConfigInput = {
    apiVersion: 'strata.dev/v1alpha1',
    kind: 'Cluster',
    name: 'lab',
    baseDomain: LAB_BASE_DOMAIN,
    platform: 'bare-metal',
    bareMetal: {
      bootServer: { endpoint: `http://boot.${LAB_BASE_DOMAIN}:8080` },
      machines: [machine(controller, 'controller'), ...workers.map((worker) => machine(worker, 'worker'))],
    },
    controllers: { count: 1 },
    ...(workerPools === undefined ? {} : { workerPools }),
    os: { name: 'strata', channel: 'stable' },
    sshAuthorizedKeys: [sshEd25519PublicKey('lab')],
    ...(mirror === undefined
      ? {}
      : {
          registryMirrors: [
            { registries: [...mirror.registries], endpoint: mirror.endpoint, caCertificate: mirror.ca },
          ],
        }),
  };
  return fixtureConfig(input);
}
