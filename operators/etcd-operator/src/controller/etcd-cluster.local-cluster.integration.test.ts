// The operator as `strata up` installs it, against real etcd processes: a local cluster whose bootstrap manifests
// carry the CRDs, RBAC and Deployment rendered by @strata/assets, whose simulated nodes run the operator's replicas
// and the member pods as processes. Starts a local cluster on the fixed loopback addresses: run under
// `flock /tmp/strata-fixed-addresses.lock`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  PatchStrategy,
  PolicyV1Api,
  setHeaderOptions,
  type KubeConfig,
  type V1Pod,
} from '@kubernetes/client-node';
import { ETCD_CLUSTER, parseEtcdCluster, type EtcdCluster, type EtcdClusterSpecInput } from '@strata/api';
import {
  ETCD_OPERATOR_IMAGE,
  ETCD_OPERATOR_NAMES,
  ETCD_OPERATOR_NAMESPACE,
  ETCD_OPERATOR_POD_LABELS,
} from '@strata/assets';
import { uniqueName, waitFor } from '@strata/harness';
import { crashContainer, startTestCluster, type TestCluster } from '@strata/platform-local/testing';
import { EtcdClient } from '../etcd/gateway-client.ts';
import { CLUSTER_LABEL, ETCD_CONTAINER } from '../pods/member-pod.ts';
import { ETCD_OPERATOR_LOCAL_COMMAND } from '../testing/index.ts';

const KEYS = 50;
const CONVERGE_MS = 90_000;

let cluster: TestCluster;
let kubeConfig: KubeConfig;
let core: CoreV1Api;
let customObjects: CustomObjectsApi;
const namespace = uniqueName('etcd');
const etcd = new EtcdClient({ timeoutMs: 2000 });
/** The most learners any status showed at once, sampled all through the tests. */
let mostLearners = 0;
let sampling: NodeJS.Timeout | undefined;

function aClusterObject(name: string, spec: EtcdClusterSpecInput): Record<string, unknown> {
  return { apiVersion: ETCD_CLUSTER.apiVersion, kind: ETCD_CLUSTER.kind, metadata: { name, namespace }, spec };
}

async function readCluster(name: string): Promise<EtcdCluster> {
  return parseEtcdCluster(
    await customObjects.getNamespacedCustomObject({
      group: ETCD_CLUSTER.group,
      version: ETCD_CLUSTER.version,
      plural: ETCD_CLUSTER.plural,
      namespace,
      name,
    }),
  );
}

async function memberPods(name: string): Promise<V1Pod[]> {
  return (await core.listNamespacedPod({ namespace, labelSelector: `${CLUSTER_LABEL}=${name}` })).items;
}

/** Waits until the status shows `size` healthy voters, no learner, Available, and as many running pods. */
async function settled(name: string, size: number): Promise<EtcdCluster> {
  return waitFor(
    `EtcdCluster ${name} to have ${size} healthy voting members`,
    async () => {
      const current = await readCluster(name);
      const members = current.status?.members ?? [];
      const available = current.status?.conditions?.find((c) => c.type === 'Available')?.status === 'True';
      const pods = (await memberPods(name)).filter((pod) => pod.metadata?.deletionTimestamp === undefined);
      return available &&
        current.status?.phase === 'Running' &&
        members.length === size &&
        members.every((member) => member.healthy && !member.learner) &&
        pods.length === size
        ? current
        : undefined;
    },
    { timeoutMs: CONVERGE_MS, intervalMs: 250, retryErrors: true },
  );
}

const endpointsOf = (current: EtcdCluster): string[] =>
  (current.status?.members ?? []).flatMap((member) => (member.clientURL === undefined ? [] : [member.clientURL]));

/** Every member's hashkv at one revision, once every member has applied it: all must be equal. */
async function hashesAgree(current: EtcdCluster): Promise<number[]> {
  const endpoints = endpointsOf(current);
  const first = endpoints[0] ?? '';
  const revision = Number((await etcd.status(first)).header.revision);
  return waitFor(
    'every member to report a hashkv at one revision',
    async () => {
      const hashes = await Promise.all(endpoints.map(async (endpoint) => (await etcd.hashKv(endpoint, revision)).hash));
      return hashes;
    },
    { timeoutMs: 15_000, intervalMs: 200, retryErrors: true },
  );
}

async function assertKeys(current: EtcdCluster, prefix: string): Promise<void> {
  for (const endpoint of endpointsOf(current)) {
    const found = await etcd.getPrefix(endpoint, prefix);
    assert.equal(found.size, KEYS, `${endpoint} holds every key`);
    for (let index = 0; index < KEYS; index += 1) assert.equal(found.get(`${prefix}${index}`), `value-${index}`);
  }
}

async function scaleTo(name: string, size: number): Promise<void> {
  await customObjects.patchNamespacedCustomObject(
    {
      group: ETCD_CLUSTER.group,
      version: ETCD_CLUSTER.version,
      plural: ETCD_CLUSTER.plural,
      namespace,
      name,
      body: { spec: { size } },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

before(async () => {
  cluster = await startTestCluster({
    workers: 2,
    images: { [ETCD_OPERATOR_IMAGE]: { command: [...ETCD_OPERATOR_LOCAL_COMMAND] } },
  });
  kubeConfig = cluster.adminKubeConfig();
  core = kubeConfig.makeApiClient(CoreV1Api);
  customObjects = kubeConfig.makeApiClient(CustomObjectsApi);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await waitFor(
    'EtcdClusters to be served',
    async () => {
      await customObjects.listNamespacedCustomObject({
        group: ETCD_CLUSTER.group,
        version: ETCD_CLUSTER.version,
        plural: ETCD_CLUSTER.plural,
        namespace,
      });
      return true;
    },
    { timeoutMs: 30_000, retryErrors: true },
  );
  await waitFor(
    'a replica of the etcd operator to lead',
    async () => {
      const lease = await kubeConfig
        .makeApiClient(CoordinationV1Api)
        .readNamespacedLease({ namespace: ETCD_OPERATOR_NAMESPACE, name: ETCD_OPERATOR_NAMES.lease });
      return lease.spec?.holderIdentity?.startsWith(`${ETCD_OPERATOR_NAMES.operator}-`) === true ? true : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500, retryErrors: true },
  );
  sampling = setInterval(() => {
    void customObjects
      .listNamespacedCustomObject({
        group: ETCD_CLUSTER.group,
        version: ETCD_CLUSTER.version,
        plural: ETCD_CLUSTER.plural,
        namespace,
      })
      .then(
        (list: unknown) => {
          for (const item of (list as { items: unknown[] }).items) {
            const learners = (parseEtcdCluster(item).status?.members ?? []).filter((member) => member.learner).length;
            mostLearners = Math.max(mostLearners, learners);
          }
        },
        () => undefined,
      );
  }, 200);
});

after(async () => {
  clearInterval(sampling);
  await cluster?.destroy();
});

describe('the etcd operator as strata up installs it, with real etcd processes', () => {
  it('creates 3 members, all healthy, and heals a SIGKILLed member and a deleted pod with equal hashes', async (t) => {
    const name = 'trio';
    const startedAt = performance.now();
    await customObjects.createNamespacedCustomObject({
      group: ETCD_CLUSTER.group,
      version: ETCD_CLUSTER.version,
      plural: ETCD_CLUSTER.plural,
      namespace,
      body: aClusterObject(name, { size: 3, version: '3.6.16', storage: { emptyDir: {} } }),
    });
    let current = await settled(name, 3);
    t.diagnostic(`3 members Available in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
    const endpoint = endpointsOf(current)[0] ?? '';
    for (let index = 0; index < KEYS; index += 1) await etcd.put(endpoint, `/trio/${index}`, `value-${index}`);
    await assertKeys(current, '/trio/');

    // SIGKILL: the pod and its data stay, the kubelet restarts etcd, and it rejoins as the same member.
    const idsBefore = (current.status?.members ?? []).map((member) => member.id).sort();
    const victim = (await memberPods(name))[0];
    assert.ok(victim);
    const killedAt = performance.now();
    crashContainer(victim, ETCD_CONTAINER);
    await waitFor(
      'the killed member to be seen unhealthy or restarted',
      async () => {
        const pod = await core.readNamespacedPod({ namespace, name: victim.metadata?.name ?? '' });
        const status = pod.status?.containerStatuses?.find((container) => container.name === ETCD_CONTAINER);
        return (status?.restartCount ?? 0) > 0 ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    current = await settled(name, 3);
    t.diagnostic(`SIGKILLed member healthy again after ${((performance.now() - killedAt) / 1000).toFixed(1)} s`);
    assert.deepEqual(
      (current.status?.members ?? []).map((member) => member.id).sort(),
      idsBefore,
      'restarted, not replaced',
    );

    // A deleted pod takes its emptyDir with it: the member is removed and a new one added in its place.
    const deleted = (await memberPods(name))[1]?.metadata?.name ?? '';
    const deletedAt = performance.now();
    await core.deleteNamespacedPod({ namespace, name: deleted });
    current = await waitFor(
      `member ${deleted} to be replaced`,
      async () => {
        const replaced = await settled(name, 3);
        return (replaced.status?.members ?? []).some((member) => member.name === deleted) ? undefined : replaced;
      },
      { timeoutMs: CONVERGE_MS, intervalMs: 500, retryErrors: true },
    );
    t.diagnostic(`deleted pod replaced by a new member in ${((performance.now() - deletedAt) / 1000).toFixed(1)} s`);
    await assertKeys(current, '/trio/');
    const hashes = await hashesAgree(current);
    assert.equal(new Set(hashes).size, 1, `hashkv on every member: ${hashes.join(', ')}`);

    const events = await kubeConfig
      .makeApiClient(EventsV1Api)
      .listNamespacedEvent({ namespace, fieldSelector: `regarding.name=${name}` });
    const reasons = new Set(events.items.map((event) => event.reason));
    for (const reason of ['Bootstrapping', 'AddingMember', 'LearnerAdded', 'MemberPromoted', 'DeadMemberRemoved']) {
      assert.ok(reasons.has(reason), `an Event ${reason} among ${[...reasons].join(', ')}`);
    }
  });

  it('scales 3 → 1 → 3 keeping every key, one learner at most at any time', async (t) => {
    const name = 'trio';
    const startedAt = performance.now();
    await scaleTo(name, 1);
    let current = await settled(name, 1);
    t.diagnostic(`3 → 1 in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
    await assertKeys(current, '/trio/');
    const pdb = await kubeConfig.makeApiClient(PolicyV1Api).readNamespacedPodDisruptionBudget({ namespace, name });
    assert.equal(pdb.spec?.minAvailable, 1, 'the budget follows the quorum of the new size');

    const upAt = performance.now();
    await scaleTo(name, 3);
    current = await settled(name, 3);
    t.diagnostic(`1 → 3 in ${((performance.now() - upAt) / 1000).toFixed(1)} s`);
    await assertKeys(current, '/trio/');
    const hashes = await hashesAgree(current);
    assert.equal(new Set(hashes).size, 1, `hashkv on every member: ${hashes.join(', ')}`);
    assert.ok(mostLearners <= 1, `at most one learner at once, saw ${mostLearners}`);
    const replicas = await core.listNamespacedPod({
      namespace: ETCD_OPERATOR_NAMESPACE,
      labelSelector: Object.entries(ETCD_OPERATOR_POD_LABELS)
        .map(([key, value]) => `${key}=${value}`)
        .join(','),
    });
    assert.equal(replicas.items.length, 2, 'the rendered Deployment runs two replicas');
  });
});
