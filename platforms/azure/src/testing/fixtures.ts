// Test support: valid Azure cluster configs and their really rendered assets.
import type { ClusterConfig, ClusterConfigInput, PlatformProgramInput } from '@strata/assets';
import {
  fixtureConfig,
  platformRenderDirectory,
  TEST_SYSEXT_SHA512,
  type PlatformRenderDirectory,
} from '@strata/assets/testing';

/** A real key whose private half was thrown away (the one examples/bare-metal.yaml uses). */
export const TEST_SSH_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKRNkThcvD8KWu8Mejxa29enICHJDP5j1sTxRpzjodJp alice@example.com';

export interface AzureConfigOptions {
  readonly name?: string;
  readonly controllers?: 1 | 3 | 5;
  /** azure.zones; absent by default, as a config without zone pinning. */
  readonly zones?: readonly string[];
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
    azure: {
      location: 'westeurope',
      ...(options.zones === undefined ? {} : { zones: [...options.zones] }),
      resourceGroup: 'strata-blue',
      controllerType: 'Standard_D2as_v5',
    },
    controllers: { count: options.controllers ?? 1 },
    workerPools: options.workerPools ?? [{ name: 'worker', count: 2 }],
    os: options.os ?? { name: 'flatcar', channel: 'stable', version: '4230.2.3' },
    sshAuthorizedKeys: [TEST_SSH_KEY],
    kubernetesSysext: { sha512: TEST_SYSEXT_SHA512 },
    ...(options.apiDnsName === undefined ? {} : { apiDnsName: options.apiDnsName }),
    ...(options.networking === undefined ? {} : { networking: options.networking }),
    ...(options.proxy === undefined ? {} : { proxy: options.proxy }),
  };
  return fixtureConfig(input);
}

/** A directory that a test renders into (and may render into again, reusing the keys) until it removes it. */
export type RenderDirectory = PlatformRenderDirectory;

export const renderDirectory = (): Promise<RenderDirectory> => platformRenderDirectory('azure');

/** Renders the cluster's assets for real (PKI, Ignition) into a temporary directory and reads the program's input. */
export async function renderedInput(config: ClusterConfig): Promise<PlatformProgramInput> {
  const dir = await renderDirectory();
  try {
    return await dir.render(config);
  } finally {
    await dir.remove();
  }
}
