// A bare-metal cluster config for the lab's machines, through the real parser: one controller and the given workers,
// each named by its MAC, in the lab's example domain.
import type { ClusterConfig } from '@strata/assets';
import { fixtureConfig, TEST_SYSEXT_SHA512 } from '@strata/assets/testing';
import { sshEd25519PublicKey } from '@strata/node-image/testing';

export interface LabMachineName {
  readonly name: string;
  readonly mac: string;
}

export const LAB_BASE_DOMAIN = 'lab.example.com';

export function labClusterConfig(controller: LabMachineName, workers: readonly LabMachineName[]): ClusterConfig {
  const machine = (spec: LabMachineName, role: 'controller' | 'worker') => ({
    name: spec.name,
    mac: spec.mac,
    domain: `${spec.name}.${LAB_BASE_DOMAIN}`,
    role,
    ...(role === 'worker' ? { pool: 'general' } : {}),
  });
  return fixtureConfig({
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
    os: { name: 'flatcar', channel: 'stable', version: '4230.2.3' },
    sshAuthorizedKeys: [sshEd25519PublicKey('lab')],
    kubernetesSysext: { sha512: TEST_SYSEXT_SHA512 },
  });
}
