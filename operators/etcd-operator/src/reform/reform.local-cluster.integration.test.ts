// Every member pod of a cluster on claims gone at once (as when a node, or Kubernetes, restarts), against real etcd
// processes on a local cluster whose bootstrap manifests install the operator as `strata up` does. Each member comes
// back on its claim at a new pod IP that no peer knows; the operator re-forms the cluster around the most up-to-date
// member (ADR 0054), without a backup. Starts a local cluster on the fixed loopback addresses: run under
// `flock /tmp/strata-fixed-addresses.lock`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventsV1Api, type CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { waitFor, waitUntilNotFound } from '@strata/harness';
import type { TestCluster } from '@strata/platform-local/testing';
import { claimNameOf, FORCE_NEW_CLUSTER_ANNOTATION } from '../pods/member-pod.ts';
import type { LocalEtcdClusters } from '../testing/local-etcd-cluster.ts';
import { startOperatorTestCluster } from '../testing/operator-test-cluster.ts';
import { recordedReform } from './reform-plan.ts';

const KEYS = 100;
/** The Events of a re-forming's steps, in order: the plain pod deleted, forced, the forced pod deleted, restarted. */
const STEPS = [
  'ReformStarted',
  'ReformPodDeleted',
  'ReformForceStarted',
  'ReformForced',
  'ReformPodDeleted',
  'ReformMemberRestarted',
  'Reformed',
];
const NAME = 'moved';

let cluster: TestCluster;
let kubeConfig: KubeConfig;
let core: CoreV1Api;
let clusters: LocalEtcdClusters;
let namespace: string;

before(async () => {
  ({ cluster, kubeConfig, core, clusters, namespace } = await startOperatorTestCluster('etcd-reform'));
});

after(async () => {
  await cluster?.destroy();
});

const gone = (what: string, read: () => Promise<unknown>): Promise<true> => waitUntilNotFound(what, read);

describe('every member pod gone at once, on claims', () => {
  it('re-forms the cluster around its most up-to-date member: Available again, same cluster ID, every key before the last write', async (t) => {
    await clusters.create(NAME, { size: 3, version: '3.6.16', storage: { pvc: { size: '64Mi' } } });
    const before = await clusters.settled(NAME, 3);
    const clusterID = before.status?.clusterID;
    assert.ok(clusterID !== undefined);
    const oldMembers = new Map((before.status?.members ?? []).map((member) => [member.name, member.id]));
    // Every put is acknowledged before the next: each of these keys is an acknowledged write. The pods are
    // SIGKILLed (grace 0) milliseconds after the one more write, which the re-forming may lose (ADR 0054): it is
    // reported, not asserted.
    await clusters.putKeysThenOneMore(before, '/moved/', KEYS);
    const oldPods = await clusters.pods(NAME);
    const oldIPs = new Map(oldPods.map((pod) => [pod.metadata?.name ?? '', pod.status?.podIP ?? '']));

    // What the status says along the way, sampled, to show the quorum loss and the re-forming were reported.
    const reasons = new Set<string>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const current = await clusters.read(NAME);
        const quorumLost = current.status?.conditions?.find((condition) => condition.type === 'QuorumLost');
        if (quorumLost?.status === 'True') reasons.add(quorumLost.reason);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();

    const deletedAt = performance.now();
    await Promise.all(
      oldPods.map((pod) =>
        core.deleteNamespacedPod({ namespace, name: pod.metadata?.name ?? '', gracePeriodSeconds: 0 }),
      ),
    );
    // The status said Available before the deletion: first the re-forming, recorded as done, then three members.
    await waitFor(
      'the re-forming to be recorded as completed',
      async () => (recordedReform(await clusters.read(NAME))?.completedAt === undefined ? undefined : true),
      { timeoutMs: 180_000, intervalMs: 250 },
    );
    const after = await clusters.settled(NAME, 3, 120_000);
    const seconds = (performance.now() - deletedAt) / 1000;
    sampling = false;
    await sampler;
    t.diagnostic(`all 3 pods deleted → 3 members Available in ${seconds.toFixed(1)} s`);
    t.diagnostic(`cluster ID before ${clusterID}, after ${after.status?.clusterID ?? '(none)'}`);

    assert.equal(after.status?.clusterID, clusterID, 'the same cluster ID: re-formed, not restored');
    await clusters.assertKeys(after, '/moved/', KEYS);
    const lastKept = await clusters.lastWriteKept(after, '/moved/');
    t.diagnostic(`the last write, acknowledged just before the kill: ${lastKept ? 'kept' : 'lost'}`);
    const hashes = await clusters.hashes(after);
    assert.equal(new Set(hashes).size, 1, `hashkv on every member: ${hashes.join(', ')}`);
    assert.ok(reasons.has('Reforming'), `QuorumLost reasons seen: ${[...reasons].join(', ')}`);

    // The plan names one old member, the one that had applied the most (the highest revision) of the three.
    const plan = recordedReform(after);
    assert.ok(plan?.completedAt !== undefined, 'the re-forming is recorded as completed');
    assert.equal(plan.members.length, 3, 'every member answered before anything was touched');
    const highest = Math.max(...plan.members.map((member) => member.revision));
    assert.equal(plan.members.find((member) => member.member === plan.member)?.revision, highest);
    t.diagnostic(
      `chose ${plan.member} of ${plan.members.map((member) => `${member.member} (revision ${member.revision}, applied index ${member.appliedIndex})`).join(', ')}`,
    );

    // It is the same member (ID, name, claim), now at its new pod's address; the two others were replaced by new
    // members on new claims, their old claims deleted: no data directory serves a second member ID.
    const members = after.status?.members ?? [];
    const kept = members.find((member) => member.name === plan.member);
    assert.equal(kept?.id, oldMembers.get(plan.member), 'the chosen member keeps its ID');
    const replaced = [...oldMembers.keys()].filter((name) => name !== plan.member);
    assert.ok(
      members.every((member) => member.name === plan.member || !oldMembers.has(member.name)),
      'the other members are new',
    );
    for (const name of replaced) {
      await gone(`claim of replaced member ${name}`, () =>
        core.readNamespacedPersistentVolumeClaim({ namespace, name: claimNameOf(name) }),
      );
    }
    const pods = await clusters.pods(NAME);
    assert.ok(
      pods.every((pod) => pod.metadata?.annotations?.[FORCE_NEW_CLUSTER_ANNOTATION] === undefined),
      'no pod runs with --force-new-cluster any more',
    );
    const keptPod = pods.find((pod) => pod.metadata?.name === plan.member);
    assert.notEqual(keptPod?.status?.podIP, oldIPs.get(plan.member), 'the chosen member answers at a new address');
    assert.equal(kept?.clientURL, `https://${keptPod?.status?.podIP ?? ''}:2379`); // automatic TLS, the default

    const events = (
      await kubeConfig
        .makeApiClient(EventsV1Api)
        .listNamespacedEvent({ namespace, fieldSelector: `regarding.name=${NAME}` })
    ).items
      .filter((event) => STEPS.includes(event.reason ?? ''))
      .sort((a, b) => new Date(a.eventTime ?? 0).getTime() - new Date(b.eventTime ?? 0).getTime());
    assert.deepEqual(
      events.map((event) => event.reason),
      STEPS,
      'each step once, in order',
    );
    t.diagnostic(events.find((event) => event.reason === 'Reformed')?.note ?? '');
  });
});
