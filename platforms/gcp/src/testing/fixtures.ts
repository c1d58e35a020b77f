// Test support for the GCP program: valid gcp cluster configs through the real
// parser, and their really rendered assets read as a platform program reads
// them. Not exported from the package.
import type { ClusterConfig, ClusterConfigInput, PlatformProgramInput } from '@strata/assets';
import { fixtureConfig, platformRenderDirectory, TEST_SYSEXT_SHA512 } from '@strata/assets/testing';

/** A real key whose private half was thrown away (the one examples/bare-metal.yaml uses). */
export const TEST_SSH_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKRNkThcvD8KWu8Mejxa29enICHJDP5j1sTxRpzjodJp alice@example.com';

export interface PoolSpec {
  readonly name: string;
  readonly count: number;
  readonly instanceType?: string;
}

export interface GcpConfigOptions {
  readonly name?: string;
  readonly baseDomain?: string;
  readonly controllers?: 1 | 3 | 5;
  readonly workerPools?: readonly PoolSpec[];
  readonly zones?: readonly string[];
  readonly os?: ClusterConfigInput['os'];
  readonly networking?: ClusterConfigInput['networking'];
}

/** A gcp cluster config through the real parser, or the first problem as an error. */
export function aGcpConfig(options: GcpConfigOptions = {}): ClusterConfig {
  const input: ClusterConfigInput = {
    apiVersion: 'strata.dev/v1alpha1',
    kind: 'Cluster',
    name: options.name ?? 'demo',
    baseDomain: options.baseDomain ?? 'gcp.example.com',
    platform: 'gcp',
    gcp: {
      project: 'strata-test-123',
      region: 'europe-west4',
      zones: [...(options.zones ?? ['europe-west4-a', 'europe-west4-b', 'europe-west4-c'])],
      controllerType: 'n2-standard-2',
    },
    controllers: { count: options.controllers ?? 1 },
    workerPools: (options.workerPools ?? [{ name: 'general', count: 2 }]).map((pool) => ({ ...pool })),
    os: options.os ?? { name: 'flatcar', channel: 'stable' },
    ...(options.networking === undefined ? {} : { networking: options.networking }),
    sshAuthorizedKeys: [TEST_SSH_KEY],
    kubernetesSysext: { sha512: TEST_SYSEXT_SHA512 },
  };
  return fixtureConfig(input);
}

/** A render of `config`'s assets in a temporary directory, read back for any config of the same cluster. */
export interface RenderedCluster {
  readonly dir: string;
  /** The program input of `config` (by default the rendered one) from this render. */
  input(config?: ClusterConfig): Promise<PlatformProgramInput>;
  /** Renders `other` (the same cluster, changed) into the same directory, as `strata render` does again. */
  rerender(other: ClusterConfig): Promise<void>;
  remove(): Promise<void>;
}

/**
 * Renders the cluster's assets for real (PKI, Ignition). A worker pool's
 * Ignition does not depend on its count (program.test.ts checks it), so
 * configs that differ only in worker counts may read the same render.
 */
export async function renderCluster(config: ClusterConfig): Promise<RenderedCluster> {
  const directory = await platformRenderDirectory('gcp');
  try {
    await directory.render(config);
  } catch (error) {
    await directory.remove();
    throw error;
  }
  return {
    dir: directory.dir,
    input: (other = config) => directory.input(other),
    rerender: async (other) => {
      await directory.render(other);
    },
    remove: () => directory.remove(),
  };
}
