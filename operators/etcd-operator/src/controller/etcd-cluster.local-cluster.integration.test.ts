// The operator as `strata up` installs it, against real etcd processes: a local cluster whose bootstrap manifests
// carry the CRDs, RBAC and Deployment rendered by @strata/assets, whose simulated nodes run the operator's replicas
// and the member pods as processes. Starts a local cluster on the fixed loopback addresses: run under
// `flock /tmp/strata-fixed-addresses.lock`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CustomObjectsApi, EventsV1Api, PolicyV1Api, type CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { ETCD_CLUSTER, parseEtcdCluster } from '@strata/api';
import { ETCD_OPERATOR_NAMESPACE, ETCD_OPERATOR_POD_LABELS } from '@strata/assets';
import { waitFor } from '@strata/harness';
import type { TestCluster } from '@strata/platform-local/testing';
import type { LocalEtcdClusters } from '../testing/local-etcd-cluster.ts';
import { startOperatorTestCluster } from '../testing/operator-test-cluster.ts';

const KEYS = 50;
const NAME = 'trio';

let cluster: TestCluster;
let kubeConfig: KubeConfig;
let core: CoreV1Api;
let clusters: LocalEtcdClusters;
let namespace: string;
/** The most learners any status showed at once, sampled all through the tests. */
let mostLearners = 0;
let sampling: NodeJS.Timeout | undefined;

before(async () => {
  ({ cluster, kubeConfig, core, clusters, namespace } = await startOperatorTestCluster('etcd'));
  const customObjects = kubeConfig.makeApiClient(CustomObjectsApi);
  const list = { group: ETCD_CLUSTER.group, version: ETCD_CLUSTER.version, plural: ETCD_CLUSTER.plural, namespace };
  sampling = setInterval(() => {
    void customObjects.listNamespacedCustomObject(list).then(
      (listed: unknown) => {
        for (const item of (listed as { items: unknown[] }).items) {
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
    const startedAt = performance.now();
    await clusters.create(NAME, { size: 3, version: '3.6.16', storage: { emptyDir: {} } });
    let current = await clusters.settled(NAME, 3);
    t.diagnostic(`3 members Available in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
    await clusters.putKeys(current, '/trio/', KEYS);
    await clusters.assertKeys(current, '/trio/', KEYS);

    // SIGKILL: the pod and its data stay, the kubelet restarts etcd, and it rejoins as the same member.
    const idsBefore = (current.status?.members ?? []).map((member) => member.id).sort();
    const victim = (await clusters.pods(NAME))[0];
    assert.ok(victim);
    const killedAt = performance.now();
    await clusters.crashMember(victim);
    current = await clusters.settled(NAME, 3);
    t.diagnostic(`SIGKILLed member healthy again after ${((performance.now() - killedAt) / 1000).toFixed(1)} s`);
    assert.deepEqual(
      (current.status?.members ?? []).map((member) => member.id).sort(),
      idsBefore,
      'restarted, not replaced',
    );

    // A deleted pod takes its emptyDir with it: the member is removed and a new one added in its place.
    const deleted = (await clusters.pods(NAME))[1]?.metadata?.name ?? '';
    const deletedAt = performance.now();
    await core.deleteNamespacedPod({ namespace, name: deleted });
    current = await waitFor(
      `member ${deleted} to be replaced`,
      async () => {
        const replaced = await clusters.settled(NAME, 3);
        return (replaced.status?.members ?? []).some((member) => member.name === deleted) ? undefined : replaced;
      },
      { timeoutMs: 90_000, intervalMs: 500, retryErrors: true },
    );
    t.diagnostic(`deleted pod replaced by a new member in ${((performance.now() - deletedAt) / 1000).toFixed(1)} s`);
    await clusters.assertKeys(current, '/trio/', KEYS);
    const hashes = await clusters.hashes(current);
    assert.equal(new Set(hashes).size, 1, `hashkv on every member: ${hashes.join(', ')}`);

    const events = await kubeConfig
      .makeApiClient(EventsV1Api)
      .listNamespacedEvent({ namespace, fieldSelector: `regarding.name=${NAME}` });
    const reasons = new Set(events.items.map((event) => event.reason));
    for (const reason of ['Bootstrapping', 'AddingMember', 'LearnerAdded', 'MemberPromoted', 'DeadMemberRemoved']) {
      assert.ok(reasons.has(reason), `an Event ${reason} among ${[...reasons].join(', ')}`);
    }
  });

  it('scales 3 → 1 → 3 keeping every key, one learner at most at any time', async (t) => {
    const startedAt = performance.now();
    await clusters.scale(NAME, 1);
    let current = await clusters.settled(NAME, 1);
    t.diagnostic(`3 → 1 in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
    await clusters.assertKeys(current, '/trio/', KEYS);
    const pdb = await kubeConfig
      .makeApiClient(PolicyV1Api)
      .readNamespacedPodDisruptionBudget({ namespace, name: NAME });
    assert.equal(pdb.spec?.minAvailable, 1, 'the budget follows the quorum of the new size');

    const upAt = performance.now();
    await clusters.scale(NAME, 3);
    current = await clusters.settled(NAME, 3);
    t.diagnostic(`1 → 3 in ${((performance.now() - upAt) / 1000).toFixed(1)} s`);
    await clusters.assertKeys(current, '/trio/', KEYS);
    const hashes = await clusters.hashes(current);
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
