// Rule 8 with `recovery: fromLatestBackup`, against real etcd processes: a cluster of 3 is backed up into MinIO twice
// (the newer backup is the one restored), written to after, then loses 2 of its 3 members' pods (emptyDir: their
// data goes with them). The operator verifies the newest backup, deletes the lost cluster's pods, seeds a new
// cluster from the backup under a new cluster ID, grows it to 3, and records the backup and the revisions lost.
// Starts a local cluster on the fixed loopback addresses: run under `flock /tmp/strata-fixed-addresses.lock`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CustomObjectsApi, EventsV1Api, type CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { ETCD_BACKUP, parseEtcdBackup, type EtcdBackup } from '@strata/api';
import { waitFor } from '@strata/harness';
import { startS3Server, type S3Server, type TestCluster } from '@strata/platform-local/testing';
import { createBackupSecrets, S3_CREDENTIALS_SECRET } from '../backup/integration-fixtures.ts';
import { endpointsOf, type LocalEtcdClusters } from '../testing/local-etcd-cluster.ts';
import { startOperatorTestCluster } from '../testing/operator-test-cluster.ts';

const NAME = 'phoenix';

let cluster: TestCluster;
let kubeConfig: KubeConfig;
let core: CoreV1Api;
let clusters: LocalEtcdClusters;
let namespace: string;
let s3: S3Server;

const customObjects = () => kubeConfig.makeApiClient(CustomObjectsApi);
const backupAddress = (name: string) => ({
  group: ETCD_BACKUP.group,
  version: ETCD_BACKUP.version,
  plural: ETCD_BACKUP.plural,
  namespace,
  name,
});

/** A one-shot EtcdBackup of the cluster into MinIO, waited for until recorded. */
async function backUp(name: string): Promise<EtcdBackup> {
  await customObjects().createNamespacedCustomObject({
    ...backupAddress(name),
    body: {
      apiVersion: ETCD_BACKUP.apiVersion,
      kind: ETCD_BACKUP.kind,
      metadata: { name, namespace },
      spec: {
        source: { clusterRef: { name: NAME } },
        destination: {
          s3: {
            endpoint: s3.endpoint,
            bucket: 'etcd-backups',
            prefix: NAME,
            credentialsSecret: S3_CREDENTIALS_SECRET,
            forcePathStyle: true,
          },
        },
      },
    },
  });
  return waitFor(
    `EtcdBackup ${name} to be stored`,
    async () => {
      const current = parseEtcdBackup(await customObjects().getNamespacedCustomObject(backupAddress(name)));
      return current.status?.lastSuccess === undefined ? undefined : current;
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
}

before(async () => {
  [{ cluster, kubeConfig, core, clusters, namespace }, s3] = await Promise.all([
    startOperatorTestCluster('etcd-recovery'),
    startS3Server({ buckets: ['etcd-backups'] }),
  ]);
  await createBackupSecrets(core, namespace, { s3 });
});

after(async () => {
  await cluster?.destroy();
  await s3?.stop();
});

describe('recovery: fromLatestBackup', () => {
  it('recovers from the newest backup after a quorum loss, under a new cluster ID, recording what was lost', async (t) => {
    await clusters.create(NAME, {
      size: 3,
      version: '3.6.16',
      storage: { emptyDir: {} },
      recovery: 'fromLatestBackup',
    });
    let current = await clusters.settled(NAME, 3);
    const oldId = current.status?.clusterID;
    await clusters.putKeys(current, '/older/', 5);
    await backUp('older');
    await clusters.putKeys(current, '/kept/', 30);
    const newest = (await backUp('newest')).status?.backups?.at(-1);
    assert.ok(newest !== undefined);
    // Written after the newest backup: the recovery loses these, and says how many revisions that is.
    await clusters.putKeys(current, '/lost/', 10);
    const written = Number((await clusters.etcd.status(endpointsOf(current)[0] ?? '')).header.revision);
    await waitFor(
      'the operator to observe the last write',
      async () => ((await clusters.read(NAME)).status?.observedRevision ?? 0) >= written || undefined,
      { timeoutMs: 20_000, intervalMs: 250 },
    );

    // 2 of 3 pods gone at once, with their data: no quorum is left.
    const startedAt = performance.now();
    const [first, second] = await clusters.pods(NAME);
    await Promise.all(
      [first, second].map((pod) =>
        core.deleteNamespacedPod({ namespace, name: pod?.metadata?.name ?? '', gracePeriodSeconds: 0 }),
      ),
    );
    await waitFor(
      'the recovery to be recorded as done',
      async () => {
        const read = await clusters.read(NAME);
        return read.status?.lastRecovery?.completedAt === undefined ? undefined : read;
      },
      { timeoutMs: 120_000, intervalMs: 250, retryErrors: true },
    );
    current = await clusters.settled(NAME, 3);
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
      (event) => event.regarding?.name === NAME,
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
