// Valid AWS cluster configs and their really rendered assets, for the tests
// of this package and of the packages that drive it.
import type { ClusterConfig, ClusterConfigInput } from '@strata/assets';
import {
  fixtureConfig,
  platformRenderDirectory,
  TEST_SYSEXT_SHA512,
  type PlatformRenderDirectory,
} from '@strata/assets/testing';

/** A real key whose private half was thrown away. */
export const TEST_SSH_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKRNkThcvD8KWu8Mejxa29enICHJDP5j1sTxRpzjodJp alice@example.com';

export interface AwsConfigOptions {
  readonly name?: string;
  readonly baseDomain?: string;
  readonly controllers?: 1 | 3 | 5;
  readonly workerPools?: ClusterConfigInput['workerPools'];
  readonly zones?: readonly string[];
  readonly os?: ClusterConfigInput['os'];
  readonly networking?: ClusterConfigInput['networking'];
  readonly apiDnsName?: string;
}

/** An AWS cluster config through the real validator, or the validator's message as an error. */
export function anAwsConfig(options: AwsConfigOptions = {}): ClusterConfig {
  const input: ClusterConfigInput = {
    apiVersion: 'strata.dev/v1alpha1',
    kind: 'Cluster',
    name: options.name ?? 'demo',
    baseDomain: options.baseDomain ?? 'aws.example.com',
    ...(options.apiDnsName === undefined ? {} : { apiDnsName: options.apiDnsName }),
    platform: 'aws',
    aws: {
      region: 'us-east-1',
      zones: [...(options.zones ?? ['us-east-1a', 'us-east-1b', 'us-east-1c'])],
      controllerType: 't3.medium',
    },
    controllers: { count: options.controllers ?? 1 },
    workerPools: options.workerPools ?? [{ name: 'worker', count: 2 }],
    os: options.os ?? { name: 'flatcar', channel: 'stable' },
    ...(options.networking === undefined ? {} : { networking: options.networking }),
    sshAuthorizedKeys: [TEST_SSH_KEY],
    kubernetesSysext: { sha512: TEST_SYSEXT_SHA512 },
  };
  return fixtureConfig(input);
}

/** A directory to render into; `render` may be called again with a changed config, reusing its keys. */
export type RenderDir = PlatformRenderDirectory;

export const renderDir = (): Promise<RenderDir> => platformRenderDirectory('aws');
