// Test support for the bare-metal flow: valid configs to start from and
// their really rendered assets. Not exported from the package.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { TEST_SYSEXT_SHA512 } from '@strata/assets/testing';
import { join } from 'node:path';
import {
  applyRenderPlan,
  planClusterRender,
  validateClusterConfig,
  type ClusterConfig,
  type ClusterConfigInput,
} from '@strata/assets';
import assert from 'node:assert/strict';
import { BareMetalFlowError } from './errors.ts';
import { readRenderedIgnition } from './rendered-ignition.ts';

/** A real key whose private half was thrown away (the one examples/bare-metal.yaml uses). */
export const TEST_SSH_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKRNkThcvD8KWu8Mejxa29enICHJDP5j1sTxRpzjodJp alice@example.com';

export interface MachineSpec {
  readonly name: string;
  readonly mac: string;
  readonly role: 'controller' | 'worker';
  readonly pool?: string;
}

/** One controller and one worker, in the MAC notations people paste. */
export const TWO_MACHINES: readonly MachineSpec[] = [
  { name: 'ctrl1', mac: '52-54-00-1A-00-01', role: 'controller' },
  { name: 'node1', mac: '52:54:00:2b:00:01', role: 'worker', pool: 'general' },
];

export interface BareMetalConfigOptions {
  readonly name?: string;
  readonly endpoint?: string;
  readonly machines?: readonly MachineSpec[];
  readonly os?: ClusterConfigInput['os'];
}

/** A bare-metal cluster config through the real parser (so MACs come out normalized), or the first problem as an error. */
export function aBareMetalConfig(options: BareMetalConfigOptions = {}): ClusterConfig {
  const machines = options.machines ?? TWO_MACHINES;
  const name = options.name ?? 'rack1';
  const input: ClusterConfigInput = {
    apiVersion: 'strata.dev/v1alpha1',
    kind: 'Cluster',
    name,
    baseDomain: 'dc1.example.com',
    platform: 'bare-metal',
    bareMetal: {
      bootServer: { endpoint: options.endpoint ?? 'http://matchbox.dc1.example.com:8080' },
      machines: machines.map((machine) => ({
        name: machine.name,
        mac: machine.mac,
        domain: `${machine.name}.dc1.example.com`,
        role: machine.role,
        ...(machine.pool === undefined ? {} : { pool: machine.pool }),
      })),
    },
    controllers: { count: machines.filter((machine) => machine.role === 'controller').length },
    os: options.os ?? { name: 'flatcar', channel: 'stable', version: '4230.2.3' },
    sshAuthorizedKeys: [TEST_SSH_KEY],
    // Strata's node image carries its kubelet: no extension to pin.
    ...(options.os?.name === 'strata' ? {} : { kubernetesSysext: { sha512: TEST_SYSEXT_SHA512 } }),
  };
  const result = validateClusterConfig(input);
  if (!result.ok) throw new Error(`fixture config is invalid:\n${result.message}`);
  return result.config;
}

/** Renders the cluster's assets for real (PKI, Ignition) and returns each machine's Ignition config. */
export async function renderedIgnitionOf(config: ClusterConfig): Promise<ReadonlyMap<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-bare-metal-render-'));
  try {
    await applyRenderPlan(await planClusterRender({ config, dir }));
    return await readRenderedIgnition(dir, config);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** For `assert.throws`: the flow refused with a `BareMetalFlowError` whose message matches. */
export const refusal = (pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof BareMetalFlowError, `expected BareMetalFlowError, got ${String(error)}`);
  assert.match(error.message, pattern);
  return true;
};
