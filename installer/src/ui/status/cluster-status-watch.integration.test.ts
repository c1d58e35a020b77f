// The status watch against a real control plane: a Node created, cordoned and
// deleted, and an UpdatePolicy whose status changes, each reach the status
// through the watches, without a probe or a relist; the health probes are the
// diagnostics' own, against the same API server and its etcd.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  loadYaml,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { LABELS, UPDATE_POLICY, updatePolicyCrd } from '@strata/api';
import { pemPairPaths } from '@strata/assets';
import { sharedControlPlane, uniqueName, waitFor } from '@strata/harness';
import { loadAdminCredentials } from '../../diagnostics/index.ts';
import type { ClusterStatus } from './cluster-status.ts';
import { ClusterStatusWatch } from './cluster-status-watch.ts';
import { probeHealth } from './health-probes.ts';

let kubeConfig: KubeConfig;
let core: CoreV1Api;
let custom: CustomObjectsApi;
let watch: ClusterStatusWatch;
let probes = 0;

/** Waits until the watch's status satisfies `check`, reading it on every change it reports. */
function statusWhere<T>(what: string, check: (status: ClusterStatus) => T | undefined): Promise<T> {
  return waitFor(what, () => check(watch.status), { timeoutMs: 15_000, intervalMs: 50 });
}

before(async () => {
  const cluster = await sharedControlPlane();
  kubeConfig = cluster.adminKubeConfig();
  core = kubeConfig.makeApiClient(CoreV1Api);
  custom = kubeConfig.makeApiClient(CustomObjectsApi);
  // Loaded as client-node loads YAML, so that the x-kubernetes-* schema keys survive serialization.
  const crd = loadYaml<KubernetesObject>(JSON.stringify(updatePolicyCrd()));
  await KubernetesObjectApi.makeApiClient(kubeConfig).patch(
    crd,
    undefined,
    undefined,
    'strata-status-test',
    true,
    PatchStrategy.ServerSideApply,
  );
  const extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);
  await waitFor('the UpdatePolicy CRD to be established', async () => {
    const current = await extensions.readCustomResourceDefinition({ name: crd.metadata?.name ?? '' });
    return current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
  });
  const target = {
    apiServerUrl: cluster.server,
    clusterCaPem: await readFile(pemPairPaths(cluster.info.pkiDir, 'ca').certificatePath, 'utf8'),
    credentials: await loadAdminCredentials(cluster.kubeconfigPath),
    etcdMembers: [{ name: 'etcd', clientUrl: cluster.info.etcdEndpoint }],
  };
  watch = new ClusterStatusWatch({
    kubeConfig,
    cluster: 'harness',
    platform: 'local',
    apiServerUrl: cluster.server,
    probe: (signal) => {
      probes += 1;
      return probeHealth(target, signal);
    },
    // Longer than the test: every change below must come from a watch, not from a probe round.
    probeIntervalMs: 600_000,
  });
  await watch.start();
});

after(async () => {
  await watch?.stop();
});

describe('ClusterStatusWatch', () => {
  it('probes the API and etcd once at the start and finds them healthy', async () => {
    const api = await statusWhere('the first probe round', (status) => status.api);
    assert.equal(api.healthy, true, api.detail);
    assert.match(api.detail, /\/readyz answers 200/);
    assert.equal(watch.status.etcd?.healthy, true, watch.status.etcd?.detail);
    assert.equal(probes, 1);
  });

  it('follows a Node through the watch: created, Ready, cordoned, deleted', async () => {
    const name = uniqueName('status-node');
    await core.createNode({
      body: { metadata: { name, labels: { [LABELS.osId]: 'flatcar', [LABELS.version]: '4152.2.0' } } },
    });
    const created = await statusWhere('the new node', (status) => status.nodes?.find((node) => node.name === name));
    assert.equal(created.os, 'flatcar 4152.2.0');
    assert.equal(created.ready, false);
    await core.patchNodeStatus({
      name,
      body: [
        {
          op: 'add',
          path: '/status/conditions',
          value: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'KubeletReady',
              lastHeartbeatTime: new Date(),
              lastTransitionTime: new Date(),
            },
          ],
        },
      ],
    });
    await statusWhere('the node Ready', (status) => status.nodes?.find((node) => node.name === name && node.ready));
    await core.patchNode({ name, body: [{ op: 'add', path: '/spec/unschedulable', value: true }] });
    await statusWhere('the node cordoned', (status) =>
      status.nodes?.find((node) => node.name === name && node.cordoned),
    );
    await core.deleteNode({ name });
    await statusWhere('the node gone', (status) =>
      status.nodes !== undefined && !status.nodes.some((node) => node.name === name) ? true : undefined,
    );
    assert.equal(probes, 1, 'no probe round ran meanwhile: the changes came from the watch');
  });

  it("follows an UpdatePolicy's status as the operator would write it", async () => {
    const name = uniqueName('status-policy');
    await custom.createClusterCustomObject({
      group: UPDATE_POLICY.group,
      version: UPDATE_POLICY.version,
      plural: UPDATE_POLICY.plural,
      body: { apiVersion: UPDATE_POLICY.apiVersion, kind: UPDATE_POLICY.kind, metadata: { name }, spec: {} },
    });
    try {
      await statusWhere('the new policy', (status) => status.policies?.find((policy) => policy.name === name));
      await custom.patchClusterCustomObjectStatus({
        group: UPDATE_POLICY.group,
        version: UPDATE_POLICY.version,
        plural: UPDATE_POLICY.plural,
        name,
        body: [{ op: 'add', path: '/status', value: { inProgress: ['worker-9'], inProgressCount: 1 } }],
      });
      const policy = await statusWhere('the policy in progress', (status) =>
        status.policies?.find((candidate) => candidate.name === name && candidate.inProgress.length > 0),
      );
      assert.deepEqual(policy.inProgress, ['worker-9']);
    } finally {
      await custom.deleteClusterCustomObject({
        group: UPDATE_POLICY.group,
        version: UPDATE_POLICY.version,
        plural: UPDATE_POLICY.plural,
        name,
      });
    }
  });
});
