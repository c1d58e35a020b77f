// Members on PersistentVolumeClaims (strata-local-path), against real etcd processes on a local cluster whose
// bootstrap manifests install the operator as `strata up` does. A member whose pod dies comes back on its own
// volume as the same member, with its data. Starts a local cluster on the fixed loopback addresses: run under
// `flock /tmp/strata-fixed-addresses.lock`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventsV1Api, type CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { waitFor, waitUntilNotFound } from '@strata/harness';
import type { TestCluster } from '@strata/platform-local/testing';
import { claimNameOf } from '../pods/member-pod.ts';
import { clientURLOf } from '../plan/observed.ts';
import type { LocalEtcdClusters } from '../testing/local-etcd-cluster.ts';
import { startOperatorTestCluster } from '../testing/operator-test-cluster.ts';

const KEYS = 40;
const NAME = 'kept';

let cluster: TestCluster;
let kubeConfig: KubeConfig;
let core: CoreV1Api;
let clusters: LocalEtcdClusters;
let namespace: string;

before(async () => {
  ({ cluster, kubeConfig, core, clusters, namespace } = await startOperatorTestCluster('etcd-pvc'));
});

after(async () => {
  await cluster?.destroy();
});

const idsOf = (members: readonly { readonly id: string }[] | undefined): string[] =>
  (members ?? []).map((member) => member.id).sort();

const gone = (what: string, read: () => Promise<unknown>): Promise<true> => waitUntilNotFound(what, read);

describe('members on PersistentVolumeClaims', () => {
  it('restarts a SIGKILLed member and a deleted pod on their volumes: same member IDs, same data, equal hashes', async (t) => {
    const startedAt = performance.now();
    await clusters.create(NAME, { size: 3, version: '3.6.16', storage: { pvc: { size: '64Mi' } } });
    let current = await clusters.settled(NAME, 3);
    t.diagnostic(`3 members on claims Available in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
    const ids = idsOf(current.status?.members);
    const claims = await clusters.claims(NAME);
    assert.deepEqual(
      claims.map((claim) => claim.metadata?.name).sort(),
      (current.status?.members ?? []).map((member) => claimNameOf(member.name)).sort(),
      'one claim per member name',
    );
    assert.ok(
      claims.every((claim) => claim.status?.phase === 'Bound' && claim.spec?.storageClassName === 'strata-local-path'),
      'every claim bound through strata-local-path',
    );
    await clusters.putKeys(current, '/kept/', KEYS);

    const [killed, deleted] = await clusters.pods(NAME);
    assert.ok(killed !== undefined && deleted !== undefined);
    await clusters.crashMember(killed);
    current = await clusters.settled(NAME, 3);
    assert.deepEqual(idsOf(current.status?.members), ids, 'a SIGKILLed member is restarted, not replaced');

    // The pod goes, its claim stays: the operator recreates the pod of that name on it, and the member, told its
    // new peer URL, is the same member with the same data.
    const deletedName = deleted.metadata?.name ?? '';
    const oldUid = deleted.metadata?.uid;
    const deletedAt = performance.now();
    await core.deleteNamespacedPod({ namespace, name: deletedName });
    current = await waitFor(
      `the pod of member ${deletedName} to be recreated on its claim`,
      async () => {
        const pod = await core.readNamespacedPod({ namespace, name: deletedName });
        if (pod.metadata?.uid === oldUid) return undefined;
        return clusters.settled(NAME, 3, 2_000);
      },
      { timeoutMs: 90_000, intervalMs: 500, retryErrors: true },
    );
    t.diagnostic(`deleted pod's member healthy again in ${((performance.now() - deletedAt) / 1000).toFixed(1)} s`);
    assert.deepEqual(idsOf(current.status?.members), ids, 'the member of a deleted pod is restarted, not replaced');
    const restarted = (await core.readNamespacedPod({ namespace, name: deletedName })).status?.podIP ?? '';
    const member = current.status?.members?.find((candidate) => candidate.name === deletedName);
    // https: automatic TLS is the default.
    assert.equal(member?.clientURL, clientURLOf(restarted, true), 'the restarted member answers on its new pod');
    await clusters.assertKeys(current, '/kept/', KEYS);
    const hashes = await clusters.hashes(current);
    assert.equal(new Set(hashes).size, 1, `hashkv on every member: ${hashes.join(', ')}`);

    const events = await kubeConfig
      .makeApiClient(EventsV1Api)
      .listNamespacedEvent({ namespace, fieldSelector: `regarding.name=${NAME}` });
    const reasons = new Set(events.items.map((event) => event.reason));
    for (const reason of ['MemberRestarted', 'PeerURLUpdated']) {
      assert.ok(reasons.has(reason), `an Event ${reason} among ${[...reasons].join(', ')}`);
    }
    for (const reason of ['DeadMemberRemoved', 'LearnerAdded']) {
      assert.equal(
        events.items.filter((event) => event.reason === reason).length,
        reason === 'LearnerAdded' ? 2 : 0,
        `${reason}: only the two members of the first scale-up were ever added, none removed`,
      );
    }
  });

  it('brings back a cluster that lost 2 of its 3 pods at once: QuorumLost, then each member on its claim', async (t) => {
    const before = await clusters.settled(NAME, 3);
    const ids = idsOf(before.status?.members);
    const startedAt = performance.now();
    const names = (await clusters.pods(NAME)).map((pod) => pod.metadata?.name ?? '');
    // The third member keeps its address: the restarted ones reach it at the peer URL it is known by, and with it
    // form a quorum that takes their new peer URLs. (All three moving at once is a re-forming:
    // src/reform/reform.local-cluster.integration.test.ts.)
    await Promise.all(
      names.slice(0, 2).map((name) => core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 })),
    );
    await waitFor(
      'QuorumLost to be reported',
      async () =>
        (await clusters.read(NAME)).status?.conditions?.find((c) => c.type === 'QuorumLost')?.status === 'True'
          ? true
          : undefined,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    const current = await clusters.settled(NAME, 3);
    t.diagnostic(`2 of 3 pods deleted → Available again in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
    assert.deepEqual(idsOf(current.status?.members), ids, 'the same members, each restarted on its claim');
    assert.deepEqual((await clusters.pods(NAME)).map((pod) => pod.metadata?.name).sort(), [...names].sort());
    await clusters.assertKeys(current, '/kept/', KEYS);
    const hashes = await clusters.hashes(current);
    assert.equal(new Set(hashes).size, 1, `hashkv on every member: ${hashes.join(', ')}`);
  });

  it('keeps the claims of a deleted EtcdCluster by default, and deletes them with retainOnDelete: false', async () => {
    await clusters.create('brief', {
      size: 1,
      version: '3.6.16',
      storage: { pvc: { size: '32Mi', retainOnDelete: false } },
    });
    await clusters.settled('brief', 1);
    const kept = (await clusters.claims(NAME)).map((claim) => claim.metadata?.name ?? '');
    const dropped = (await clusters.claims('brief')).map((claim) => claim.metadata?.name ?? '');
    assert.equal(kept.length, 3);
    assert.equal(dropped.length, 1);

    await clusters.delete(NAME);
    await clusters.delete('brief');
    for (const pod of [...kept, ...dropped].map((claim) => claim.replace(/^data-/, ''))) {
      await gone(`pod ${pod}`, () => core.readNamespacedPod({ namespace, name: pod }));
    }
    for (const claim of dropped) {
      await gone(`claim ${claim}`, () => core.readNamespacedPersistentVolumeClaim({ namespace, name: claim }));
    }
    // Both clusters' pods are gone and the garbage collector has deleted the claim it owned: the kept ones, which
    // no owner names, are still there, bound, with their data.
    for (const claim of kept) {
      const read = await core.readNamespacedPersistentVolumeClaim({ namespace, name: claim });
      assert.equal(read.metadata?.deletionTimestamp, undefined, `claim ${claim} is kept`);
      assert.equal(read.status?.phase, 'Bound');
    }
  });
});
