// Upgrades and quorum loss, against real etcd processes on a local cluster whose bootstrap manifests install the
// operator as `strata up` does. Starts a local cluster on the fixed loopback addresses: run under
// `flock /tmp/strata-fixed-addresses.lock`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventsV1Api, type KubeConfig, type KubernetesObject, type V1Pod } from '@kubernetes/client-node';
import { ETCD_CLUSTER, parseEtcdCluster, type EtcdCluster } from '@strata/api';
import { neverDuring, waitFor } from '@strata/harness';
import { signalContainer, startS3Server, type S3Server, type TestCluster } from '@strata/platform-local/testing';
import { S3Store } from '../backup/s3-store.ts';
import { CLUSTER_LABEL, ETCD_CONTAINER } from '../pods/member-pod.ts';
import { endpointsOf, type LocalEtcdClusters } from '../testing/local-etcd-cluster.ts';
import { startOperatorTestCluster } from '../testing/operator-test-cluster.ts';

const KEYS = 30;
const NAME = 'life';
/** How long quorum loss is watched for a change that must not come: longer than a halted cluster's resync (5 s). */
const OBSERVATION_MS = 8_000;

let cluster: TestCluster;
let kubeConfig: KubeConfig;
let clusters: LocalEtcdClusters;
let namespace: string;
let s3: S3Server;

before(async () => {
  [{ cluster, kubeConfig, clusters, namespace }, s3] = await Promise.all([
    startOperatorTestCluster('etcd-life'),
    startS3Server({ buckets: ['etcd-backups'] }),
  ]);
});

after(async () => {
  await cluster?.destroy();
  await s3?.stop();
});

const idsOf = (current: EtcdCluster): string[] => (current.status?.members ?? []).map((member) => member.id).sort();
const conditionOf = (current: EtcdCluster, type: string) =>
  current.status?.conditions?.find((condition) => condition.type === type);

/** The reasons of the cluster's Events, leaving out those named in `except`. */
async function eventReasons(except: ReadonlySet<string> = new Set()): Promise<string[]> {
  return (await clusterEvents()).filter(([name]) => !except.has(name)).map(([, reason]) => reason);
}

async function clusterEvents(): Promise<[name: string, reason: string][]> {
  const events = await kubeConfig
    .makeApiClient(EventsV1Api)
    .listNamespacedEvent({ namespace, fieldSelector: `regarding.name=${NAME}` });
  return events.items.map((event) => [event.metadata?.name ?? '', event.reason ?? '']);
}

/** The status records the upgrade to `version` as completed, after a snapshot MinIO holds with its sha256. */
async function assertUpgradeSnapshot(current: EtcdCluster, version: string): Promise<void> {
  const upgrade = await waitFor(
    `the upgrade to ${version} recorded as completed`,
    async () => {
      const recorded = (await clusters.read(NAME)).status?.upgrade;
      return recorded?.toVersion === version && recorded.completedAt !== undefined ? recorded : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 200 },
  );
  const { snapshot } = upgrade;
  assert.ok(snapshot.revision >= KEYS, `the snapshot holds the keys written before (revision ${snapshot.revision})`);
  assert.ok(
    Date.parse(snapshot.takenAt) < Date.parse(upgrade.completedAt ?? ''),
    `the snapshot before the upgrade's end: ${JSON.stringify(upgrade)}`,
  );
  assert.equal(
    current.status?.lastBackup === undefined || Date.parse(current.status.lastBackup) >= Date.parse(snapshot.takenAt),
    true,
  );
  const backup = await clusters.readBackup(snapshot.backup);
  assert.equal(backup.metadata.ownerReferences === undefined, false, 'the snapshot EtcdBackup is owned by the cluster');
  assert.equal(backup.status?.backups?.at(-1)?.sha256, snapshot.sha256);
  assert.equal(snapshot.location, `s3://etcd-backups/${NAME}/${snapshot.name}`);
  const store = new S3Store({
    endpoint: s3.endpoint,
    bucket: 'etcd-backups',
    prefix: NAME,
    forcePathStyle: true,
    credentials: s3.credentials,
  });
  try {
    assert.equal(await store.recordedSha256(snapshot.name), snapshot.sha256, 'MinIO holds the snapshot');
  } finally {
    store.close();
  }
}

describe('upgrades and quorum loss', () => {
  it('upgrades 3 members 3.5.36 → 3.6.15 → 3.6.16 one at a time after a snapshot each, keeping member IDs and keys; refuses a downgrade', async (t) => {
    await clusters.create(NAME, { size: 3, version: '3.5.36', storage: { pvc: { size: '64Mi' } } });
    let current = await clusters.settled(NAME, 3, 90_000, '3.5.36');
    const ids = idsOf(current);
    await clusters.putKeys(current, '/life/', KEYS);

    // No EtcdBackup targets the cluster: the upgrade is held, naming the fix, and no member is touched.
    await clusters.patchSpec(NAME, { version: '3.6.15' });
    const held = await waitFor(
      'the upgrade to be held for want of a backup destination',
      async () => {
        const read = await clusters.read(NAME);
        return conditionOf(read, 'Degraded')?.reason === 'UpgradeNeedsBackup' ? read : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    assert.match(conditionOf(held, 'Degraded')?.message ?? '', /spec\.source\.clusterRef\.name: life/);
    assert.ok((held.status?.members ?? []).every((member) => member.version === '3.5.36' && member.healthy));
    await clusters.patchSpec(NAME, { version: '3.5.36' });
    await clusters.backUpTo(NAME, s3, 'etcd-backups');

    // Sampled all through: never more than one member down, never a learner (no member is replaced).
    let mostDown = 0;
    let learners = 0;
    const sampling = setInterval(() => {
      void clusters.read(NAME).then(
        (sample) => {
          const members = sample.status?.members ?? [];
          mostDown = Math.max(mostDown, members.filter((member) => !member.healthy).length);
          learners = Math.max(learners, members.filter((member) => member.learner).length);
        },
        () => undefined,
      );
    }, 150);
    try {
      for (const version of ['3.6.15', '3.6.16']) {
        const startedAt = performance.now();
        await clusters.patchSpec(NAME, { version });
        current = await clusters.settled(NAME, 3, 90_000, version);
        t.diagnostic(`3 members upgraded to ${version} in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
        assert.deepEqual(idsOf(current), ids, `the same members after the upgrade to ${version}`);
        assert.equal(current.status?.currentVersion, version);
        await clusters.assertKeys(current, '/life/', KEYS);
        await assertUpgradeSnapshot(current, version);
      }
    } finally {
      clearInterval(sampling);
    }
    assert.ok(mostDown <= 1, `one member upgraded at a time: saw ${mostDown} down at once`);
    assert.equal(learners, 0, 'no member was replaced');
    const hashes = await clusters.hashes(current);
    assert.equal(new Set(hashes).size, 1, `hashkv on every member: ${hashes.join(', ')}`);
    const upgrades = (await eventReasons()).filter((reason) => reason === 'MemberUpgrading').length;
    assert.equal(upgrades, 6, 'one MemberUpgrading Event per member per upgrade');

    await clusters.patchSpec(NAME, { version: '3.5.36' });
    const refused = await waitFor(
      'the downgrade to be refused with a condition',
      async () => {
        const read = await clusters.read(NAME);
        return conditionOf(read, 'Degraded')?.reason === 'UpgradeRefused' ? read : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    assert.match(
      conditionOf(refused, 'Degraded')?.message ?? '',
      /3\.6\.16 → 3\.5\.36 is refused \(a downgrade\); allowed from 3\.6\.16: a patch release 3\.6\.x \(x > 16\) or the next minor version 3\.7\.x/,
    );
    assert.equal(conditionOf(refused, 'Available')?.status, 'True');
    assert.ok((await eventReasons()).includes('UpgradeRefused'));
    assert.ok(
      (refused.status?.members ?? []).every((member) => member.version === '3.6.16'),
      'every member still runs 3.6.16',
    );
    await clusters.patchSpec(NAME, { version: '3.6.16' });
    await waitFor(
      'the refusal to clear',
      async () =>
        ((await clusters.read(NAME)).status?.conditions ?? []).every(
          (c) => c.type !== 'Degraded' || c.status === 'False',
        ) || undefined,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  });

  it('reports QuorumLost when 2 of 3 members stop answering and changes nothing until they are back', async (t) => {
    const before = await clusters.settled(NAME, 3);
    const ids = idsOf(before);
    const eventsBefore = new Set((await clusterEvents()).map(([name]) => name));
    const pods = await clusters.pods(NAME);
    const frozen = pods.slice(0, 2);
    const podNames = new Set(pods.map((pod) => pod.metadata?.name ?? ''));
    // SIGSTOP: the processes hang as a partitioned or wedged member would, and the kubelet has nothing to restart.
    for (const pod of frozen) signalContainer(pod, ETCD_CONTAINER, 'SIGSTOP');
    try {
      await waitFor(
        'QuorumLost',
        async () => (conditionOf(await clusters.read(NAME), 'QuorumLost')?.status === 'True' ? true : undefined),
        { timeoutMs: 30_000, intervalMs: 100 },
      );
      const lostAt = performance.now();
      // Watched for the whole window: no pod created or deleted, no member added, replaced or made a learner.
      const [, statuses] = await Promise.all([
        neverDuring<V1Pod>(kubeConfig, {
          what: 'a member pod created or deleted while quorum is lost',
          path: `/api/v1/namespaces/${namespace}/pods`,
          ms: OBSERVATION_MS,
          forbidden: (pod) => {
            const name = pod.metadata?.name ?? '';
            if (pod.metadata?.labels?.[CLUSTER_LABEL] !== NAME) return undefined;
            if (!podNames.has(name)) return `pod ${name} was created`;
            return pod.metadata?.deletionTimestamp === undefined ? undefined : `pod ${name} is being deleted`;
          },
        }),
        neverDuring<KubernetesObject>(kubeConfig, {
          what: 'a membership change while quorum is lost',
          path: `/apis/${ETCD_CLUSTER.group}/${ETCD_CLUSTER.version}/namespaces/${namespace}/${ETCD_CLUSTER.plural}`,
          name: NAME,
          ms: OBSERVATION_MS,
          forbidden: (object) => {
            const members = parseEtcdCluster(object).status?.members ?? [];
            const stranger = members.find((member) => member.learner || !ids.includes(member.id));
            return stranger === undefined ? undefined : `member ${stranger.id} (learner: ${stranger.learner}) appeared`;
          },
        }),
      ]);
      t.diagnostic(`watched quorum loss for ${((performance.now() - lostAt) / 1000).toFixed(1)} s`);
      assert.ok(
        statuses.some((event) => conditionOf(parseEtcdCluster(event.object), 'QuorumLost')?.status === 'True'),
        'the watch saw QuorumLost',
      );
    } finally {
      for (const pod of frozen) signalContainer(pod, ETCD_CONTAINER, 'SIGCONT');
    }
    const current = await clusters.settled(NAME, 3);
    assert.deepEqual(idsOf(current), ids, 'the same members answer again');
    const membership = (await (await clusters.etcdOf(current)).memberList(endpointsOf(current)[0] ?? '')).members
      .length;
    assert.equal(membership, 3);
    const newReasons = await eventReasons(eventsBefore);
    for (const reason of ['LearnerAdded', 'MemberRemoved', 'DeadMemberRemoved', 'PodDeleted', 'MemberRestarted']) {
      assert.ok(!newReasons.includes(reason), `no ${reason} Event during the quorum loss: ${newReasons.join(', ')}`);
    }
    assert.equal(conditionOf(current, 'QuorumLost')?.status, 'False');
    await clusters.assertKeys(current, '/life/', KEYS);
  });
});
