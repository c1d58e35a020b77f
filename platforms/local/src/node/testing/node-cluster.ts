import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubernetesObjectApi, PatchStrategy, type KubeConfig } from '@kubernetes/client-node';
import { BOOTSTRAP_TOKEN_EXTRA_GROUP, renderBootstrapManifests, type ManifestInputs } from '@strata/assets';
import { HarnessCluster, startControlPlane, type RunningControlPlane } from '@strata/harness';

export const BOOTSTRAP_TOKEN = { id: 'strata', secret: '0123456789abcdef' } as const;

/** A control plane with controllers, the node bootstrap RBAC applied, and the credentials a simulated node starts from. */
export interface NodeTestCluster {
  readonly running: RunningControlPlane;
  readonly cluster: HarnessCluster;
  readonly admin: KubeConfig;
  /**
   * Who a node bootstraps as. The harness's kube-apiserver runs without
   * --enable-bootstrap-token-auth, so this is a client certificate for the
   * very user and groups the bootstrap token authenticator would produce
   * (system:bootstrap:<id>, system:bootstrappers, system:bootstrappers:strata):
   * RBAC, the CSR approver and the signer see the same requester either way.
   */
  readonly bootstrap: KubeConfig;
  /** A fresh directory under which nodes keep their state; removed by stop(). */
  readonly stateDir: string;
  stop(): Promise<void>;
}

function manifestInputs(server: string): ManifestInputs {
  const url = new URL(server);
  return {
    clusterName: 'node-test',
    kubernetesVersion: 'v1.36.3',
    podCidr: '10.2.0.0/16',
    serviceCidr: '10.3.0.0/16',
    clusterDomain: 'cluster.local',
    dnsServiceIp: '10.3.0.10',
    apiServer: { host: url.hostname, port: Number(url.port) },
    bootstrapToken: BOOTSTRAP_TOKEN,
  };
}

/** Applies 10-node-bootstrap.yaml as the installer does: server-side, as the admin. */
export async function applyNodeBootstrapRbac(admin: KubeConfig, server: string): Promise<void> {
  const file = renderBootstrapManifests(manifestInputs(server)).find(
    (candidate) => candidate.fileName === '10-node-bootstrap.yaml',
  );
  if (file === undefined) throw new Error('the bootstrap manifests have no 10-node-bootstrap.yaml');
  const client = KubernetesObjectApi.makeApiClient(admin);
  for (const object of file.objects) {
    await client.patch(object, undefined, undefined, 'strata-node-test', true, PatchStrategy.ServerSideApply);
  }
}

export async function startNodeTestCluster(): Promise<NodeTestCluster> {
  const running = await startControlPlane({ withControllers: true });
  try {
    const cluster = new HarnessCluster(running.info);
    const admin = cluster.adminKubeConfig();
    await applyNodeBootstrapRbac(admin, running.info.server);
    const bootstrap = await cluster.userKubeConfig(`system:bootstrap:${BOOTSTRAP_TOKEN.id}`, [
      'system:bootstrappers',
      BOOTSTRAP_TOKEN_EXTRA_GROUP,
    ]);
    const stateDir = await mkdtemp(join(tmpdir(), 'strata-node-test-'));
    return {
      running,
      cluster,
      admin,
      bootstrap,
      stateDir,
      stop: async () => {
        await running.stop();
        await rm(stateDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await running.stop();
    throw error;
  }
}
