// Test support: valid Azure cluster configs and their really rendered assets.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  applyRenderPlan,
  planClusterRender,
  readPlatformProgramInput,
  validateClusterConfig,
  type ClusterConfig,
  type ClusterConfigInput,
  type PlatformProgramInput,
} from '@strata/assets';
import { TEST_SYSEXT_SHA512 } from '@strata/assets/testing';

/** A real key whose private half was thrown away (the one examples/bare-metal.yaml uses). */
export const TEST_SSH_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKRNkThcvD8KWu8Mejxa29enICHJDP5j1sTxRpzjodJp alice@example.com';

export interface AzureConfigOptions {
  readonly name?: string;
  readonly controllers?: 1 | 3 | 5;
  readonly workerPools?: ClusterConfigInput['workerPools'];
  readonly apiDnsName?: string;
  readonly os?: ClusterConfigInput['os'];
  readonly networking?: ClusterConfigInput['networking'];
  readonly proxy?: ClusterConfigInput['proxy'];
}

/** An Azure cluster config through the real parser, or the first problem as an error. */
export function anAzureConfig(options: AzureConfigOptions = {}): ClusterConfig {
  const input: ClusterConfigInput = {
    apiVersion: 'strata.dev/v1alpha1',
    kind: 'Cluster',
    name: options.name ?? 'blue',
    baseDomain: 'azure.example.com',
    platform: 'azure',
    azure: { location: 'westeurope', resourceGroup: 'strata-blue', controllerType: 'Standard_D2as_v5' },
    controllers: { count: options.controllers ?? 1 },
    workerPools: options.workerPools ?? [{ name: 'worker', count: 2 }],
    os: options.os ?? { name: 'flatcar', channel: 'stable', version: '4230.2.3' },
    sshAuthorizedKeys: [TEST_SSH_KEY],
    kubernetesSysext: { sha512: TEST_SYSEXT_SHA512 },
    ...(options.apiDnsName === undefined ? {} : { apiDnsName: options.apiDnsName }),
    ...(options.networking === undefined ? {} : { networking: options.networking }),
    ...(options.proxy === undefined ? {} : { proxy: options.proxy }),
  };
  const result = validateClusterConfig(input);
  if (!result.ok) throw new Error(`fixture config is invalid:\n${result.message}`);
  return result.config;
}

/** A directory that a test renders into (and may render into again, reusing the keys) until it disposes of it. */
export interface RenderDirectory {
  render(config: ClusterConfig): Promise<PlatformProgramInput>;
  dispose(): Promise<void>;
}

export async function renderDirectory(): Promise<RenderDirectory> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-azure-render-'));
  return {
    async render(config) {
      await applyRenderPlan(await planClusterRender({ config, dir }));
      return readPlatformProgramInput(dir, config);
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Renders the cluster's assets for real (PKI, Ignition) into a temporary directory and reads the program's input. */
export async function renderedInput(config: ClusterConfig): Promise<PlatformProgramInput> {
  const dir = await renderDirectory();
  try {
    return await dir.render(config);
  } finally {
    await dir.dispose();
  }
}
