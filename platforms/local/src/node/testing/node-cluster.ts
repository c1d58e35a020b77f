import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubernetesObjectApi, PatchStrategy, type KubeConfig } from '@kubernetes/client-node';
import { renderBootstrapManifests, type ManifestInputs } from '@strata/assets';
import { HarnessCluster, startControlPlane, type RunningControlPlane } from '@strata/harness';

export const BOOTSTRAP_TOKEN = { id: 'strata', secret: '0123456789abcdef' } as const;

/**
 * These tests are about the simulated kubelet, not about who may join: every numbered node of a fleet bootstraps as
 * one user, so kube-controller-manager's own approval of system:bootstrappers' client CSRs stands in for the join
 * approver (which holds each CSR to one machine, and is tested in @strata/join-approver).
 */
const AUTO_APPROVE_FOR_KUBELET_TESTS = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRoleBinding',
  metadata: { name: 'strata-node-test:autoapprove-bootstrap' },
  roleRef: {
    apiGroup: 'rbac.authorization.k8s.io',
    kind: 'ClusterRole',
    name: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient',
  },
  subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:bootstrappers' }],
};

/** A control plane with controllers, the node bootstrap RBAC applied, and the credentials a simulated node starts from. */
export interface NodeTestCluster {
  readonly running: RunningControlPlane;
  readonly cluster: HarnessCluster;
  readonly admin: KubeConfig;
  /**
   * Who a node bootstraps as: a client certificate for the very user and
   * groups a bootstrap token of a pool would authenticate as
   * (system:bootstrap:<id>, system:bootstrappers, system:bootstrappers:strata:pool:node-test):
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
    bootstrapTokens: [
      { ...BOOTSTRAP_TOKEN, expiration: '2099-01-01T00:00:00Z', target: { kind: 'pool', name: 'node-test' } },
    ],
  };
}

/**
 * Applies 10-node-bootstrap.yaml as the installer does (server-side, as the admin), and the auto-approval these
 * kubelet tests stand on.
 */
export async function applyNodeBootstrapRbac(admin: KubeConfig, server: string): Promise<void> {
  const file = renderBootstrapManifests(manifestInputs(server)).find(
    (candidate) => candidate.fileName === '10-node-bootstrap.yaml',
  );
  if (file === undefined) throw new Error('the bootstrap manifests have no 10-node-bootstrap.yaml');
  const client = KubernetesObjectApi.makeApiClient(admin);
  for (const object of [...file.objects, AUTO_APPROVE_FOR_KUBELET_TESTS]) {
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
      'system:bootstrappers:strata:pool:node-test',
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
