// The EtcdRestore controller against the harness control plane. The EtcdBackup controller backs up the control
// plane's own etcd into a claim's directory and into MinIO; restores of those backups verify the snapshot and create
// the new EtcdCluster marked with it and with its seed source, created paused and unpaused by the next pass (no
// cluster controller runs here, so nothing is seeded: the local-cluster test seeds); a restore into an existing
// EtcdCluster and a restore of a snapshot with one byte flipped are refused with a condition, and create nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomObjectsApi, EventsV1Api, type KubeConfig } from '@kubernetes/client-node';
import {
  ETCD_BACKUP,
  ETCD_CLUSTER,
  ETCD_RESTORE,
  parseEtcdBackup,
  parseEtcdCluster,
  parseEtcdRestore,
  type EtcdBackup,
  type EtcdRestore,
} from '@strata/api';
import { isNotFound } from '@strata/kube';
import { neverDuring, sharedControlPlane, uniqueName, waitFor, type HarnessCluster } from '@strata/harness';
import { startS3Server, type S3Server } from '@strata/platform-local/testing';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { prepareBackupNamespace } from '../backup/integration-fixtures.ts';
import { BackupMetrics } from '../backup/backup-metrics.ts';
import { EtcdBackupController } from '../backup/backup-controller.ts';
import { EtcdRestoreController, RESTORE_ANNOTATIONS } from './restore-controller.ts';
import { parseSeedSource, SEED_ANNOTATION } from './seed-source.ts';

const namespace = uniqueName('etcd-restores');
let cluster: HarnessCluster;
let kubeConfig: KubeConfig;
let s3: S3Server;
let work: string;
const stop = new AbortController();
let running: Promise<void>[] = [];

const customObjects = () => kubeConfig.makeApiClient(CustomObjectsApi);

type Kind = { group: string; version: string; plural: string };

const read = async (kind: Kind, name: string): Promise<unknown> =>
  customObjects().getNamespacedCustomObject({ ...kind, namespace, name });

const create = (kind: Kind & { apiVersion: string; kind: string }, name: string, spec: object) =>
  customObjects().createNamespacedCustomObject({
    group: kind.group,
    version: kind.version,
    plural: kind.plural,
    namespace,
    body: { apiVersion: kind.apiVersion, kind: kind.kind, metadata: { name, namespace }, spec },
  });

/** The spec of the new cluster a restore creates. */
const aClusterSpec = (size = 3) => ({ size, version: '3.6.16', storage: { emptyDir: {} } });

/** A one-shot EtcdBackup of the control plane's own etcd, waited for until it is recorded. */
async function backUp(name: string, destination: EtcdBackup['spec']['destination']): Promise<EtcdBackup> {
  await create(ETCD_BACKUP, name, {
    source: { endpoints: { urls: [cluster.info.etcdEndpoint], clientTLSSecret: 'etcd-client' } },
    destination,
  });
  return waitFor(
    `EtcdBackup ${name} to be stored`,
    async () => {
      const current = parseEtcdBackup(await read(ETCD_BACKUP, name));
      return current.status?.lastSuccess === undefined ? undefined : current;
    },
    60_000,
  );
}

/** The Events of `reason` about EtcdRestore `name`, once there is one. */
const eventsOf = (name: string, reason: string) =>
  waitFor(`a ${reason} Event of ${name}`, async () => {
    const list = await kubeConfig.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace });
    const found = list.items.filter((event) => event.regarding?.name === name && event.reason === reason);
    return found.length > 0 ? found : undefined;
  });

/** Waits until the restore's phase is one of `phases`. */
const restoreIn = (name: string, phases: readonly string[]): Promise<EtcdRestore> =>
  waitFor(
    `EtcdRestore ${name} to reach ${phases.join(' or ')}`,
    async () => {
      const current = parseEtcdRestore(await read(ETCD_RESTORE, name));
      return phases.includes(current.status?.phase ?? '') ? current : undefined;
    },
    60_000,
  );

const conditionOf = (restore: EtcdRestore, type: 'Restored' | 'Failed') =>
  restore.status?.conditions?.find((condition) => condition.type === type);

async function assertNoCluster(name: string): Promise<void> {
  await assert.rejects(read(ETCD_CLUSTER, name), (error: unknown) => isNotFound(error));
}

before(async () => {
  [cluster, s3] = await Promise.all([sharedControlPlane(), startS3Server({ buckets: ['etcd-backups'] })]);
  kubeConfig = cluster.adminKubeConfig();
  work = await mkdtemp(join(tmpdir(), 'strata-restore-controller-'));
  await prepareBackupNamespace(cluster, kubeConfig, namespace, s3);
  const common = {
    kubeConfig,
    identity: 'test',
    logger: pino({ enabled: false }),
    namespace,
    mayWrite: () => true,
    pvcRoot: join(work, 'claims'),
    scratchDirectory: join(work, 'scratch'),
    retryDelayMs: 200,
    maxRetryDelayMs: 1000,
  };
  const backups = new EtcdBackupController({ ...common, metrics: new BackupMetrics(new Registry()) });
  const restores = new EtcdRestoreController(common);
  running = [backups.run(stop.signal), restores.run(stop.signal)];
});

after(async () => {
  stop.abort();
  await Promise.all(running);
  await s3.stop();
  await rm(work, { recursive: true, force: true });
});

describe('the EtcdRestore controller', () => {
  it("verifies an EtcdBackup's newest backup, creates the new EtcdCluster marked with it paused, then unpauses it", async () => {
    const backup = await backUp('to-claim', { pvc: { claimName: 'backups' } });
    const record = backup.status?.backups?.at(-1);
    assert.ok(record !== undefined);
    await create(ETCD_RESTORE, 'from-claim', {
      source: { backup: { name: 'to-claim' } },
      cluster: { name: 'restored', spec: aClusterSpec(3) },
    });
    const restore = await waitFor(
      'the restore to unpause its cluster',
      async () => {
        const current = parseEtcdRestore(await read(ETCD_RESTORE, 'from-claim'));
        if (current.status?.phase === 'Failed') throw new Error(JSON.stringify(current.status));
        return conditionOf(current, 'Restored')?.reason === 'Seeding' ? current : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    assert.equal(restore.status?.phase, 'Restoring', JSON.stringify(restore.status));
    assert.equal(restore.status?.restoredRevision, record.revision);
    assert.equal(restore.status?.sha256, record.sha256);
    assert.equal(restore.status?.source, record.location);
    assert.equal(conditionOf(restore, 'Restored')?.status, 'False');
    assert.equal(conditionOf(restore, 'Failed')?.status, 'False');
    const unpaused = await eventsOf(restore.metadata.name, 'ClusterUnpaused');
    assert.equal(unpaused.length, 1, 'unpaused once');

    const restored = parseEtcdCluster(await read(ETCD_CLUSTER, 'restored'));
    assert.equal(restored.spec.size, 3);
    assert.equal(restored.spec.paused, false, 'unpaused by the restore once its status said Restoring');
    const { [SEED_ANNOTATION]: seed, ...marks } = Object.fromEntries(
      Object.entries(restored.metadata.annotations ?? {}).filter(([key]) => key.startsWith('etcd.strata.dev/')),
    );
    assert.deepEqual(marks, {
      [RESTORE_ANNOTATIONS.restore]: 'from-claim',
      [RESTORE_ANNOTATIONS.restoreUID]: restore.metadata.uid,
      [RESTORE_ANNOTATIONS.source]: record.location,
      [RESTORE_ANNOTATIONS.sha256]: record.sha256,
      [RESTORE_ANNOTATIONS.revision]: String(record.revision),
    });
    // What the founding member's seeding step reads: the same claim, the same snapshot, the same figures.
    assert.deepEqual(parseSeedSource(seed ?? '', 'the annotation'), {
      token: restore.metadata.uid,
      name: record.name,
      sha256: record.sha256,
      revision: record.revision,
      store: { kind: 'pvc', claimName: 'backups', path: '' },
    });
    // Staged for the members, byte for byte the backup, in a directory only the operator can enter.
    const staged = join(work, 'scratch', 'restores', `${restore.metadata.uid ?? ''}.db`);
    assert.deepEqual(await readFile(staged), await readFile(record.location));
    assert.equal((await stat(join(work, 'scratch', 'restores'))).mode & 0o777, 0o700);
  });

  it('restores an S3 object by URL with a credentials Secret, checked against the sha256 stored with it', async () => {
    const backup = await backUp('to-s3', {
      s3: {
        endpoint: s3.endpoint,
        bucket: 'etcd-backups',
        prefix: 'control-plane',
        credentialsSecret: 's3-credentials',
        forcePathStyle: true,
      },
    });
    const record = backup.status?.backups?.at(-1);
    assert.ok(record !== undefined);
    await create(ETCD_RESTORE, 'from-s3', {
      source: { s3: { url: record.location, endpoint: s3.endpoint, credentialsSecret: 's3-credentials' } },
      cluster: { name: 'restored-from-s3', spec: aClusterSpec(1) },
    });
    const restore = await restoreIn('from-s3', ['Restoring', 'Failed']);
    assert.equal(restore.status?.phase, 'Restoring', JSON.stringify(restore.status));
    assert.equal(restore.status?.restoredRevision, record.revision);
    assert.equal(restore.status?.sha256, record.sha256);
    const restored = parseEtcdCluster(await read(ETCD_CLUSTER, 'restored-from-s3'));
    assert.equal(restored.metadata.annotations?.[RESTORE_ANNOTATIONS.source], record.location);
    const seed = parseSeedSource(restored.metadata.annotations?.[SEED_ANNOTATION] ?? '', 'the annotation');
    // The credentials stay in their Secret: the seed source names it, and holds no key.
    assert.deepEqual(seed.store, {
      kind: 's3',
      endpoint: s3.endpoint,
      bucket: 'etcd-backups',
      prefix: 'control-plane',
      forcePathStyle: true,
      credentialsSecret: 's3-credentials',
    });
    assert.ok(!JSON.stringify(restored).includes(s3.credentials.secretAccessKey));
  });

  it('refuses to restore into an EtcdCluster that exists, and leaves it as it was', async () => {
    const before = parseEtcdCluster(await read(ETCD_CLUSTER, 'restored'));
    await create(ETCD_RESTORE, 'into-live', {
      source: { backup: { name: 'to-claim' } },
      cluster: { name: 'restored', spec: aClusterSpec(5) },
    });
    const restore = await restoreIn('into-live', ['Failed', 'Restoring']);
    assert.equal(restore.status?.phase, 'Failed');
    assert.equal(conditionOf(restore, 'Failed')?.reason, 'ClusterExists');
    assert.match(conditionOf(restore, 'Failed')?.message ?? '', /already exists: a restore never writes into a live/);
    const after = parseEtcdCluster(await read(ETCD_CLUSTER, 'restored'));
    assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion);
  });

  it('rejects a snapshot with one byte flipped, naming why, and never creates the EtcdCluster', async () => {
    const backup = parseEtcdBackup(await read(ETCD_BACKUP, 'to-claim'));
    const record = backup.status?.backups?.at(-1);
    assert.ok(record !== undefined);
    const bytes = await readFile(record.location);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
    await writeFile(record.location, bytes);

    const watchedFrom = Date.now();
    // Watches the whole time the restore runs and a while after: the cluster is never created, not merely gone.
    const watched = neverDuring(kubeConfig, {
      what: 'the EtcdCluster of a corrupt restore to exist',
      path: `/apis/${ETCD_CLUSTER.group}/${ETCD_CLUSTER.version}/namespaces/${namespace}/${ETCD_CLUSTER.plural}`,
      name: 'never',
      ms: 8000,
      forbidden: (object, type) => `EtcdCluster never was ${type}: ${JSON.stringify(object.metadata)}`,
    });
    await create(ETCD_RESTORE, 'corrupt', {
      source: { backup: { name: 'to-claim' } },
      cluster: { name: 'never', spec: aClusterSpec(3) },
    });
    const restore = await restoreIn('corrupt', ['Failed', 'Restoring']);
    assert.ok(Date.now() - watchedFrom < 8000, 'the restore ended inside the watched interval');
    assert.equal(restore.status?.phase, 'Failed');
    assert.equal(conditionOf(restore, 'Failed')?.reason, 'SnapshotCorrupt');
    assert.match(conditionOf(restore, 'Failed')?.message ?? '', /is not a valid etcd snapshot: .*(trailer|sha256)/);
    assert.equal(restore.status?.source, record.location);
    assert.equal(restore.status?.restoredRevision, undefined);
    const seen = await watched;
    assert.deepEqual(seen, []);
    await assertNoCluster('never');
    // Nothing corrupt stays staged.
    assert.deepEqual(
      (await readdir(join(work, 'scratch', 'restores'))).filter((name) => name.startsWith(restore.metadata.uid ?? '-')),
      [],
    );
  });
});
