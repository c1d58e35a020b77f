// Backups to a claim through backup pods (ADR 0053), on a real local cluster whose operator is deployed as rendered:
// its Deployment mounts no claim. A cluster with automatic TLS (so the pod must use the `<cluster>-client-tls`
// Secret: its members refuse a client without a certificate) is backed up on the schedule `* * * * *` into a
// `strata-local-path` claim with `maxBackups: 1`: two real cron firings, each a pod that streams, verifies and stores
// the snapshot in the claim's directory, the second removing the first. The files are read back from the claim's
// volume on its node. On the fixed loopback addresses: run under `flock /tmp/strata-fixed-addresses.lock`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppsV1Api, EventsV1Api, type CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { ETCD_BACKUP } from '@strata/api';
import { ETCD_OPERATOR_NAMES, ETCD_OPERATOR_NAMESPACE } from '@strata/assets';
import { waitFor } from '@strata/harness';
import {
  hostPathOnNode,
  LOCAL_PATH_STORAGE_CLASS,
  persistentVolumeNode,
  persistentVolumePath,
  type TestCluster,
} from '@strata/platform-local/testing';
import { readClientTls } from '../tls/cluster-tls.ts';
import { clientSecretName } from '../tls/names.ts';
import { endpointsOf, LocalEtcdClusters } from '../testing/local-etcd-cluster.ts';
import { startOperatorTestCluster } from '../testing/operator-test-cluster.ts';
import { BACKUP_POD_LABEL } from './backup-pod.ts';
import { verifySnapshotFile } from './snapshot-file.ts';

const CLUSTER = 'main';
const BACKUP = 'nightly';
const CLAIM = 'backups';
const PATH = 'etcd/main';

let cluster: TestCluster;
let kubeConfig: KubeConfig;
let core: CoreV1Api;
let namespace: string;

before(async () => {
  ({ cluster, kubeConfig, core, namespace } = await startOperatorTestCluster('etcd-pvc-backup'));
});

after(async () => {
  await cluster?.destroy();
});

/** The claim's directory on this machine: its volume's path on the node it is pinned to. */
async function claimDirectory(): Promise<string> {
  const claim = await core.readNamespacedPersistentVolumeClaim({ namespace, name: CLAIM });
  const volume = await core.readPersistentVolume({ name: claim.spec?.volumeName ?? '' });
  const node = persistentVolumeNode(volume);
  const path = persistentVolumePath(volume);
  assert.ok(node !== undefined && path !== undefined, 'a local volume pinned to one node');
  return hostPathOnNode(join(cluster.directory.path, 'nodes', node), path);
}

describe('backups to a claim through backup pods', () => {
  it('takes scheduled backups of a TLS cluster into a claim the operator does not mount, retention enforced', async (t) => {
    // The operator as rendered: no claim of any kind in its pods.
    const deployment = await kubeConfig
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({ namespace: ETCD_OPERATOR_NAMESPACE, name: ETCD_OPERATOR_NAMES.operator });
    assert.deepEqual(
      (deployment.spec?.template.spec?.volumes ?? []).filter((volume) => volume.persistentVolumeClaim !== undefined),
      [],
    );

    const plain = new LocalEtcdClusters(kubeConfig, namespace);
    await plain.create(CLUSTER, { size: 1, version: '3.6.16', storage: { emptyDir: {} }, tls: { auto: {} } });
    const client = await waitFor(
      `the client Secret of ${CLUSTER}`,
      () => readClientTls(core, namespace, clientSecretName(CLUSTER)),
      { timeoutMs: 60_000, intervalMs: 250, retryErrors: true },
    );
    const clusters = new LocalEtcdClusters(kubeConfig, namespace, client);
    const current = await clusters.settled(CLUSTER, 1, 120_000);
    for (const endpoint of endpointsOf(current))
      assert.match(endpoint, /^https:/, 'only https: a certificate is needed');
    await clusters.putKeys(current, '/before-backups/', 20);

    await core.createNamespacedPersistentVolumeClaim({
      namespace,
      body: {
        metadata: { name: CLAIM },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: LOCAL_PATH_STORAGE_CLASS,
          resources: { requests: { storage: '1Gi' } },
        },
      },
    });
    await plain.createObject(ETCD_BACKUP, BACKUP, {
      source: { clusterRef: { name: CLUSTER } },
      destination: { pvc: { claimName: CLAIM, path: PATH } },
      // Five-field cron only: two firings are 60-120 s away.
      schedule: '* * * * *',
      retention: { maxBackups: 1 },
    });

    const startedAt = performance.now();
    const backup = await waitFor(
      'two scheduled backups to be recorded',
      async () => {
        const read = await plain.readBackup(BACKUP);
        const history = read.status?.history ?? [];
        const failed = history.find((entry) => entry.outcome === 'Failed');
        if (failed !== undefined) throw new Error(`a backup failed: ${failed.message}`);
        return history.filter((entry) => entry.outcome === 'Succeeded').length >= 2 ? read : undefined;
      },
      { timeoutMs: 240_000, intervalMs: 500 },
    );
    t.diagnostic(`two firings recorded ${((performance.now() - startedAt) / 1000).toFixed(1)} s after the EtcdBackup`);

    // Only the newest is listed, where the claim names it; the first was removed by retention.
    const records = backup.status?.backups ?? [];
    assert.equal(records.length, 1, JSON.stringify(records));
    const [record] = records;
    assert.ok(record !== undefined);
    assert.equal(record.location, `pvc://${CLAIM}/${PATH}/${record.name}`);
    assert.equal(record.etcdVersion, '3.6.16');
    // The Events follow the status patch.
    const events = await waitFor(
      'two BackupStored Events and one BackupRemoved',
      async () => {
        const list = await kubeConfig.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace });
        const own = list.items.filter((event) => event.regarding?.name === BACKUP);
        const count = (reason: string) => own.filter((event) => event.reason === reason).length;
        return count('BackupStored') >= 2 && count('BackupRemoved') >= 1 ? own : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    const reasons = events.map((event) => event.reason ?? '');
    assert.equal(reasons.filter((reason) => reason === 'BackupStored').length, 2, reasons.join(', '));
    const removed = events.filter((event) => event.reason === 'BackupRemoved');
    assert.equal(removed.length, 1, reasons.join(', '));
    assert.doesNotMatch(removed[0]?.note ?? '', new RegExp(record.name), 'the newest is never removed');

    // On the claim: exactly the recorded backup, whole (no temporary file), with the recorded size, sha256 and revision.
    const directory = join(await claimDirectory(), PATH);
    assert.deepEqual(await readdir(directory), [record.name]);
    const file = join(directory, record.name);
    const bytes = await readFile(file);
    assert.equal(bytes.length, record.size);
    assert.equal(createHash('sha256').update(bytes).digest('hex'), record.sha256);
    const verified = await verifySnapshotFile(file);
    assert.equal(verified.revision, record.revision);
    const etcd = await clusters.etcdOf(current);
    const revisionNow = Number((await etcd.status(endpointsOf(current)[0] ?? '')).header.revision);
    assert.ok(record.revision >= 21 && record.revision <= revisionNow, `revision ${record.revision} of ${revisionNow}`);

    // Each pod is deleted once its result is recorded.
    await waitFor(
      'the backup pods to be deleted',
      async () =>
        (await core.listNamespacedPod({ namespace, labelSelector: `${BACKUP_POD_LABEL}=${backup.metadata.uid ?? ''}` }))
          .items.length === 0 || undefined,
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  });
});
