// The leading replica of the operator SIGKILLed right after a member add, in the middle of an upgrade and right
// after a member remove: the other replica takes the Lease and the cluster converges, never with two learners in
// etcd's own member list (sampled all through). Starts a local cluster on the fixed loopback addresses: run under
// `flock /tmp/strata-fixed-addresses.lock`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventsV1Api, type CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { ETCD_OPERATOR_NAMESPACE } from '@strata/assets';
import { waitFor } from '@strata/harness';
import { crashContainer, startS3Server, type S3Server, type TestCluster } from '@strata/platform-local/testing';
import { endpointsOf, type LocalEtcdClusters } from '../testing/local-etcd-cluster.ts';
import { operatorLeader, startOperatorTestCluster } from '../testing/operator-test-cluster.ts';

const NAME = 'crash';
const KEYS = 20;

let cluster: TestCluster;
let kubeConfig: KubeConfig;
let core: CoreV1Api;
let clusters: LocalEtcdClusters;
let namespace: string;
let s3: S3Server;
/** The most learners etcd's member list showed at once, and how many samples were taken. */
let mostLearners = 0;
let samples = 0;
let sampling: NodeJS.Timeout | undefined;

before(async () => {
  [{ cluster, kubeConfig, core, clusters, namespace }, s3] = await Promise.all([
    startOperatorTestCluster('etcd-kill'),
    startS3Server({ buckets: ['etcd-backups'] }),
  ]);
});

after(async () => {
  clearInterval(sampling);
  await cluster?.destroy();
  await s3?.stop();
});

async function eventNames(reason: string): Promise<string[]> {
  const events = await kubeConfig
    .makeApiClient(EventsV1Api)
    .listNamespacedEvent({ namespace, fieldSelector: `regarding.name=${NAME}` });
  return events.items.filter((event) => event.reason === reason).map((event) => event.metadata?.name ?? '');
}

/** Once a new Event `reason` is recorded, SIGKILLs the replica that holds the Lease; returns its name. */
async function killLeaderAfter(reason: string, before: readonly string[]): Promise<string> {
  await waitFor(
    `a new ${reason} Event`,
    async () => ((await eventNames(reason)).some((name) => !before.includes(name)) ? true : undefined),
    { timeoutMs: 60_000, intervalMs: 50 },
  );
  const leader = await operatorLeader(kubeConfig);
  const pod = await core.readNamespacedPod({ namespace: ETCD_OPERATOR_NAMESPACE, name: leader });
  crashContainer(pod, 'operator');
  return leader;
}

describe('the operator killed in the middle of its work', () => {
  it('converges after a kill after a member add, mid-upgrade and after a member remove, never with two learners', async (t) => {
    await clusters.create(NAME, { size: 1, version: '3.6.15', storage: { pvc: { size: '64Mi' } } });
    // Where the upgrade's snapshot goes (rule 9: no member is upgraded before it is stored).
    await clusters.backUpTo(NAME, s3, 'etcd-backups');
    let current = await clusters.settled(NAME, 1);
    const etcd = await clusters.etcdOf(current);
    await clusters.putKeys(current, '/crash/', KEYS);
    sampling = setInterval(() => {
      const endpoint = endpointsOf(current)[0];
      if (endpoint === undefined) return;
      void etcd.memberList(endpoint).then(
        (list) => {
          samples += 1;
          mostLearners = Math.max(mostLearners, list.members.filter((member) => member.isLearner).length);
        },
        () => undefined,
      );
    }, 150);

    const steps: [string, string, () => Promise<void>, () => Promise<unknown>][] = [
      [
        'LearnerAdded',
        'scale 1 → 3',
        () => clusters.scale(NAME, 3),
        async () => (current = await clusters.settled(NAME, 3, 150_000)),
      ],
      [
        'MemberUpgrading',
        'upgrade 3.6.15 → 3.6.16',
        () => clusters.patchSpec(NAME, { version: '3.6.16' }),
        async () => (current = await clusters.settled(NAME, 3, 150_000, '3.6.16')),
      ],
      [
        'MemberRemoved',
        'scale 3 → 1',
        () => clusters.scale(NAME, 1),
        async () => (current = await clusters.settled(NAME, 1, 150_000)),
      ],
    ];
    for (const [reason, what, change, converged] of steps) {
      const before = await eventNames(reason);
      const startedAt = performance.now();
      await change();
      const killed = await killLeaderAfter(reason, before);
      await converged();
      const next = await operatorLeader(kubeConfig);
      t.diagnostic(
        `${what}: leader ${killed} killed after ${reason}; converged in ${((performance.now() - startedAt) / 1000).toFixed(1)} s (leader now ${next})`,
      );
    }
    clearInterval(sampling);
    await clusters.assertKeys(current, '/crash/', KEYS);
    assert.ok(samples > 50, `etcd's member list sampled throughout (${samples} samples)`);
    assert.ok(mostLearners <= 1, `never two learners at once: saw ${mostLearners}`);
  });
});
