// The restore test, against real etcd processes: the local cluster's own control-plane etcd (TLS, the
// certificates rendered for it) is backed up by an EtcdBackup into MinIO, and an EtcdRestore restores that backup
// into a new EtcdCluster of 3 members. Its founding member is seeded in its pod (seed-fetch, etcdutl, seed-install),
// the other two join as learners; every member holds every key of the control plane's etcd at the backup's
// revision, under a new cluster ID. Then rule 8 with `recovery: fromLatestBackup`: a cluster of 3 is backed up into
// MinIO twice (the newer backup is the one restored), written to after, then loses 2 of its 3 members' pods
// (emptyDir: their data goes with them); the operator verifies the newest backup, deletes the lost cluster's pods,
// seeds a new cluster from the backup under a new cluster ID, grows it to 3, and records the backup and the revisions
// lost. One local cluster for both (its start is most of the file's time), on the fixed loopback addresses: run under
// `flock /tmp/strata-fixed-addresses.lock`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventsV1Api, type CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { ETCD_BACKUP, ETCD_RESTORE, type EtcdBackup } from '@strata/api';
import { ASSET_PATHS, readPemPair } from '@strata/assets';
import { waitFor } from '@strata/harness';
import { startS3Server, type S3Server, type TestCluster } from '@strata/platform-local/testing';
import { createBackupSecrets, ETCD_CLIENT_SECRET, S3_CREDENTIALS_SECRET } from '../backup/integration-fixtures.ts';
import { EtcdClient, hexId } from '../etcd/gateway-client.ts';
import type { EtcdClientTls } from '../etcd/tls.ts';
import { readKeySpace } from '../testing/key-space.ts';
import { endpointsOf, type EtcdKind, type LocalEtcdClusters } from '../testing/local-etcd-cluster.ts';
import { startOperatorTestCluster } from '../testing/operator-test-cluster.ts';

const MARKERS = 40;
const RESTORED = 'restored';
const RECOVERED = 'phoenix';

let cluster: TestCluster;
let kubeConfig: KubeConfig;
let core: CoreV1Api;
let clusters: LocalEtcdClusters;
let namespace: string;
let s3: S3Server;
let tls: EtcdClientTls;
let controlPlaneEtcd: string;

const create = (kind: EtcdKind, name: string, spec: object) => clusters.createObject(kind, name, spec);

const eventReasons = async (name: string): Promise<string[]> =>
  (await kubeConfig.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace })).items
    .filter((event) => event.regarding?.name === name)
    .map((event) => event.reason ?? '');

/** A one-shot EtcdBackup of `source` into MinIO, waited for until it is recorded. */
async function backUp(name: string, source: object): Promise<EtcdBackup> {
  await create(ETCD_BACKUP, name, {
    source,
    destination: {
      s3: {
        endpoint: s3.endpoint,
        bucket: 'etcd-backups',
        prefix: name,
        credentialsSecret: S3_CREDENTIALS_SECRET,
        forcePathStyle: true,
      },
    },
  });
  return waitFor(
    `EtcdBackup ${name} to be stored`,
    async () => {
      const current = await clusters.readBackup(name);
      return current.status?.lastSuccess === undefined ? undefined : current;
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
}

before(async () => {
  [{ cluster, kubeConfig, core, clusters, namespace }, s3] = await Promise.all([
    startOperatorTestCluster('etcd-restore'),
    startS3Server({ buckets: ['etcd-backups'] }),
  ]);
  const assets = cluster.directory.assetsDir;
  const [ca, client] = await Promise.all([
    readPemPair(assets, ASSET_PATHS.etcdCa),
    readPemPair(assets, ASSET_PATHS.apiserverEtcdClient),
  ]);
  tls = { ca: ca.certificatePem, cert: client.certificatePem, key: client.privateKeyPem };
  const controller = cluster.topology.controllers[0];
  assert.ok(controller !== undefined);
  controlPlaneEtcd = `https://${controller.etcdHost}:2379`;
  await createBackupSecrets(core, namespace, { s3, etcdClient: tls });
});

after(async () => {
  await cluster?.destroy();
  await s3?.stop();
});

describe("a restore of the control plane's own etcd", () => {
  it('restores into a new cluster of 3 members with the same keys and revision, under a new cluster ID', async (t) => {
    // Keys of known values beside Kubernetes' own, so that what is compared is not only what the API server wrote.
    const source = new EtcdClient({ tls, timeoutMs: 5000 });
    for (let index = 0; index < MARKERS; index += 1) {
      await source.put(controlPlaneEtcd, `/strata-restore-test/${index}`, `value-${index}`);
    }
    const backup = await backUp('control-plane', {
      endpoints: { urls: [controlPlaneEtcd], clientTLSSecret: ETCD_CLIENT_SECRET },
    });
    const record = backup.status?.backups?.at(-1);
    assert.ok(record !== undefined);
    // The control plane's etcd at the backup's revision: what every restored member must hold.
    const expected = await readKeySpace(controlPlaneEtcd, record.revision, { tls });
    assert.ok(expected.kvs.size > MARKERS, `${expected.kvs.size} keys at revision ${record.revision}`);

    const startedAt = performance.now();
    await create(ETCD_RESTORE, 'from-control-plane', {
      source: { backup: { name: 'control-plane' } },
      cluster: { name: RESTORED, spec: { size: 3, version: '3.6.16', storage: { emptyDir: {} } } },
    });
    const restore = await clusters.restored('from-control-plane');
    const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
    t.diagnostic(`${expected.kvs.size} keys at revision ${record.revision} restored into 3 members in ${seconds} s`);
    assert.equal(restore.status?.restoredRevision, record.revision);
    assert.equal(restore.status?.conditions?.find((c) => c.type === 'Restored')?.status, 'True');

    const restored = await clusters.settled(RESTORED, 3);
    assert.equal(restored.spec.paused, false, 'the restore unpaused its cluster');
    const endpoints = endpointsOf(restored);
    assert.equal(endpoints.length, 3);
    const clusterIds = new Set<string>();
    const restoredTls = await clusters.tlsOf(restored);
    assert.ok(restoredTls !== undefined, 'the restored cluster has automatic TLS, the default');
    for (const endpoint of endpoints) {
      assert.match(endpoint, /^https:/);
      const held = await readKeySpace(endpoint, record.revision, { tls: restoredTls });
      clusterIds.add(held.clusterId);
      assert.ok(held.revision >= record.revision, `${endpoint} is at revision ${held.revision}`);
      assert.equal(held.kvs.size, expected.kvs.size, `${endpoint} holds every key at revision ${record.revision}`);
      assert.deepEqual(held.kvs, expected.kvs, `${endpoint}: every key, value, create and mod revision`);
    }
    // A new cluster: one ID for all its members, not the control plane's, recorded by the restore and the cluster.
    assert.equal(clusterIds.size, 1);
    const [restoredId = ''] = clusterIds;
    assert.notEqual(restoredId, expected.clusterId);
    assert.equal(restore.status?.clusterID, hexId(restoredId));
    assert.equal(restored.status?.clusterID, hexId(restoredId));

    // The founding member was seeded in its pod, after its certificate (automatic TLS, the default); the two others
    // joined as learners, unseeded.
    const pods = await clusters.pods(RESTORED);
    const seeded = pods.filter((pod) => (pod.spec?.initContainers ?? []).some((c) => c.name === 'seed-restore'));
    assert.equal(seeded.length, 1, 'one founding member seeded');
    assert.deepEqual(
      seeded[0]?.spec?.initContainers?.map((container) => container.name),
      ['member-cert', 'seed-fetch', 'seed-restore', 'seed-install'],
    );
    const reasons = await eventReasons(RESTORED);
    assert.ok(reasons.includes('Seeding'), reasons.join(', '));
    assert.ok(reasons.includes('MemberPromoted'), reasons.join(', '));
    assert.ok((await eventReasons('from-control-plane')).includes('Restored'));
  });
});

describe('recovery: fromLatestBackup', () => {
  it('recovers from the newest backup after a quorum loss, under a new cluster ID, recording what was lost', async (t) => {
    await clusters.create(RECOVERED, {
      size: 3,
      version: '3.6.16',
      storage: { emptyDir: {} },
      recovery: 'fromLatestBackup',
    });
    let current = await clusters.settled(RECOVERED, 3);
    const oldId = current.status?.clusterID;
    await clusters.putKeys(current, '/older/', 5);
    await backUp('older', { clusterRef: { name: RECOVERED } });
    await clusters.putKeys(current, '/kept/', 30);
    const newest = (await backUp('newest', { clusterRef: { name: RECOVERED } })).status?.backups?.at(-1);
    assert.ok(newest !== undefined);
    // Written after the newest backup: the recovery loses these, and says how many revisions that is.
    await clusters.putKeys(current, '/lost/', 10);
    const written = Number(
      (await (await clusters.etcdOf(current)).status(endpointsOf(current)[0] ?? '')).header.revision,
    );
    await waitFor(
      'the operator to observe the last write',
      async () => ((await clusters.read(RECOVERED)).status?.observedRevision ?? 0) >= written || undefined,
      { timeoutMs: 20_000, intervalMs: 250 },
    );

    // 2 of 3 pods gone at once, with their data: no quorum is left.
    const startedAt = performance.now();
    const [first, second] = await clusters.pods(RECOVERED);
    await Promise.all(
      [first, second].map((pod) =>
        core.deleteNamespacedPod({ namespace, name: pod?.metadata?.name ?? '', gracePeriodSeconds: 0 }),
      ),
    );
    await waitFor(
      'the recovery to be recorded as done',
      async () => {
        const read = await clusters.read(RECOVERED);
        return read.status?.lastRecovery?.completedAt === undefined ? undefined : read;
      },
      { timeoutMs: 120_000, intervalMs: 250, retryErrors: true },
    );
    current = await clusters.settled(RECOVERED, 3);
    t.diagnostic(
      `quorum loss → recovered, 3 members Available in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`,
    );

    const recovery = current.status?.lastRecovery;
    t.diagnostic(
      `restored revision ${recovery?.restoredRevision ?? '?'} of backup ${recovery?.backup ?? '?'}, ${recovery?.revisionLost ?? '?'} revisions lost (last observed ${written})`,
    );
    assert.equal(recovery?.backup, 'newest');
    assert.equal(recovery?.snapshot, newest.location);
    assert.equal(recovery?.restoredRevision, newest.revision);
    assert.equal(recovery?.previousClusterID, oldId);
    assert.ok((recovery?.revisionLost ?? 0) >= 10, `revisionLost ${recovery?.revisionLost}`);
    assert.equal(recovery?.revisionLost, written - newest.revision);
    assert.notEqual(current.status?.clusterID, oldId, 'a new cluster ID');

    // Every member holds what the newest backup held, and nothing written after it.
    await clusters.assertKeys(current, '/older/', 5);
    await clusters.assertKeys(current, '/kept/', 30);
    await clusters.assertKeys(current, '/lost/', 0);
    const hashes = await clusters.hashes(current);
    assert.equal(new Set(hashes).size, 1, `hashkv equal on all members: ${hashes.join(', ')}`);

    const events = (await kubeConfig.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace })).items.filter(
      (event) => event.regarding?.name === RECOVERED,
    );
    const reasons = events.map((event) => event.reason ?? '');
    for (const reason of [
      'QuorumLost',
      'RecoveryBackupVerified',
      'RecoveryStarted',
      'RecoveryPodDeleted',
      'Seeding',
      'Recovered',
    ]) {
      assert.ok(reasons.includes(reason), `${reason} in ${reasons.join(', ')}`);
    }
    // Verification came before anything was destroyed.
    const at = (reason: string): number[] =>
      events.filter((event) => event.reason === reason).map((event) => new Date(event.eventTime ?? 0).getTime());
    assert.ok(Math.max(...at('RecoveryBackupVerified')) <= Math.min(...at('RecoveryPodDeleted')));
  });
});
