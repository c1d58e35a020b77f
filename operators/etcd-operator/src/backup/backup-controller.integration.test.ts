// The EtcdBackup controller against the harness control plane: the `endpoints` form backs up the control plane's own
// etcd with the client certificate from a Secret, into MinIO and into a claim's directory; an unreachable S3 endpoint
// gets a Failed condition quoting the error and is retried with back-off; a schedule fires on the minute, and
// retention keeps maxBackups in both stores.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomObjectsApi, EventsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { ETCD_BACKUP, parseEtcdBackup, type EtcdBackup } from '@strata/api';
import { sharedControlPlane, uniqueName, waitFor, type HarnessCluster } from '@strata/harness';
import { statusCodeOf } from '@strata/kube';
import { startS3Server, type S3Server } from '@strata/platform-local/testing';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { prepareBackupNamespace } from './integration-fixtures.ts';
import { BackupMetrics } from './backup-metrics.ts';
import { EtcdBackupController } from './backup-controller.ts';
import { S3Store } from './s3-store.ts';
import { UPGRADE_SNAPSHOT_LABEL, upgradeSnapshotName } from '../controller/upgrade-snapshot.ts';
import { UPGRADE_SNAPSHOTS_KEPT } from './upgrade-snapshot-retention.ts';
import { DirectoryStore } from './directory-store.ts';
import type { BackupStore } from './store.ts';

const namespace = uniqueName('etcd-backups');
let cluster: HarnessCluster;
let kubeConfig: KubeConfig;
let s3: S3Server;
let work: string;
let registry: Registry;
const stop = new AbortController();
let running: Promise<void>;

const customObjects = () => kubeConfig.makeApiClient(CustomObjectsApi);

/** An EtcdBackup of the control plane's own etcd through its client certificate, to `destination`. */
const aBackup = (name: string, destination: EtcdBackup['spec']['destination'], extra: object = {}) => ({
  apiVersion: ETCD_BACKUP.apiVersion,
  kind: ETCD_BACKUP.kind,
  metadata: { name, namespace },
  spec: {
    source: { endpoints: { urls: [cluster.info.etcdEndpoint], clientTLSSecret: 'etcd-client' } },
    destination,
    ...extra,
  },
});

const s3Destination = (endpoint: string) => ({
  s3: {
    endpoint,
    bucket: 'etcd-backups',
    prefix: 'control-plane',
    credentialsSecret: 's3-credentials',
    forcePathStyle: true,
  },
});

const readBackup = async (name: string): Promise<EtcdBackup> =>
  parseEtcdBackup(
    await customObjects().getNamespacedCustomObject({
      group: ETCD_BACKUP.group,
      version: ETCD_BACKUP.version,
      plural: ETCD_BACKUP.plural,
      namespace,
      name,
    }),
  );

const create = (body: object) =>
  customObjects().createNamespacedCustomObject({
    group: ETCD_BACKUP.group,
    version: ETCD_BACKUP.version,
    plural: ETCD_BACKUP.plural,
    namespace,
    body,
  });

before(async () => {
  [cluster, s3] = await Promise.all([sharedControlPlane(), startS3Server({ buckets: ['etcd-backups'] })]);
  kubeConfig = cluster.adminKubeConfig();
  work = await mkdtemp(join(tmpdir(), 'strata-backup-controller-'));
  await prepareBackupNamespace(cluster, kubeConfig, namespace, s3);
  registry = new Registry();
  const controller = new EtcdBackupController({
    kubeConfig,
    identity: 'test',
    logger: pino({ enabled: false }),
    metrics: new BackupMetrics(registry),
    namespace,
    mayWrite: () => true,
    pvcRoot: join(work, 'claims'),
    scratchDirectory: join(work, 'scratch'),
    retryDelayMs: 200,
    maxRetryDelayMs: 1000,
  });
  running = controller.run(stop.signal);
});

after(async () => {
  stop.abort();
  await running;
  await s3.stop();
  await rm(work, { recursive: true, force: true });
});

describe('the EtcdBackup controller', () => {
  it("backs up the control plane's own etcd to S3 once, and records it in the status, an Event and the metrics", async () => {
    await create(aBackup('to-s3', s3Destination(s3.endpoint)));
    const backup = await waitFor(
      'the backup to be stored',
      async () => {
        const current = await readBackup('to-s3');
        return current.status?.lastSuccess === undefined ? undefined : current;
      },
      60_000,
    );
    const [record, ...more] = backup.status?.backups ?? [];
    assert.ok(record !== undefined);
    assert.deepEqual(more, []);
    assert.equal(backup.status?.lastSuccess, record.takenAt);
    assert.equal(record.etcdVersion, '3.6.16');
    assert.ok(record.revision > 1);
    assert.equal(record.location, `s3://etcd-backups/control-plane/${record.name}`);
    assert.equal(backup.status?.conditions?.find((condition) => condition.type === 'Ready')?.status, 'True');
    const store = new S3Store({ ...s3Destination(s3.endpoint).s3, credentials: s3.credentials });
    try {
      assert.equal(await store.recordedSha256(record.name), record.sha256);
      const copy = join(work, 'copy.db');
      await store.get(record.name, copy);
      assert.equal(
        createHash('sha256')
          .update(await readFile(copy))
          .digest('hex'),
        record.sha256,
      );
      assert.equal((await readFile(copy)).length, record.size);
    } finally {
      store.close();
    }
    const events = await waitFor('the BackupStored Event', async () => {
      const list = await kubeConfig.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace });
      const stored = list.items.filter((event) => event.regarding?.name === 'to-s3' && event.reason === 'BackupStored');
      return stored.length > 0 ? stored : undefined;
    });
    assert.match(events[0]?.note ?? '', new RegExp(`revision ${record.revision}`));
    const metrics = await registry.metrics();
    assert.match(metrics, new RegExp(`strata_etcd_backups_taken_total\\{backup="${namespace}/to-s3"\\} 1`));
    assert.match(metrics, new RegExp(`strata_etcd_backup_age_seconds\\{backup="${namespace}/to-s3"\\} \\d`));
  });

  it("writes into a claim's directory under its path", async () => {
    await create(aBackup('to-pvc', { pvc: { claimName: 'backups', path: 'control-plane' } }));
    const backup = await waitFor(
      'the backup to be stored',
      async () => {
        const current = await readBackup('to-pvc');
        return current.status?.lastSuccess === undefined ? undefined : current;
      },
      60_000,
    );
    const record = backup.status?.backups?.[0];
    assert.equal(record?.location, join(work, 'claims', namespace, 'backups', 'control-plane', record?.name ?? ''));
    assert.equal(
      createHash('sha256')
        .update(await readFile(record?.location ?? ''))
        .digest('hex'),
      record?.sha256,
    );
  });

  it('quotes the error of an unreachable S3 endpoint in a Failed condition, retries with back-off, and records no backup', async () => {
    await create(aBackup('unreachable', s3Destination('http://127.0.0.1:9')));
    const backup = await waitFor(
      'two failed attempts',
      async () => {
        const current = await readBackup('unreachable');
        return (current.status?.history ?? []).length >= 2 ? current : undefined;
      },
      60_000,
    );
    const failed = backup.status?.conditions?.find((condition) => condition.type === 'Failed');
    assert.equal(failed?.status, 'True');
    assert.equal(failed?.reason, 'StoreFailed');
    assert.match(
      failed?.message ?? '',
      /^S3 at http:\/\/127\.0\.0\.1:9 refused to store s3:\/\/etcd-backups\/control-plane\/.*ECONNREFUSED/,
    );
    assert.equal(backup.status?.lastSuccess, undefined);
    assert.deepEqual(backup.status?.backups ?? [], []);
    assert.equal(backup.status?.conditions?.find((condition) => condition.type === 'Ready')?.status, 'False');
    const [first, second] = backup.status?.history ?? [];
    assert.ok(
      Date.parse(second?.time ?? '') - Date.parse(first?.time ?? '') >= 150,
      'the retry waited for its back-off',
    );
    assert.match(
      await registry.metrics(),
      new RegExp(`strata_etcd_backups_failed_total\\{backup="${namespace}/unreachable"\\} [2-9]`),
    );
  });

  it('fails with ClientTLSInvalid, naming the Secret, when the client certificate Secret is missing', async () => {
    const body = aBackup('no-client-secret', s3Destination(s3.endpoint));
    await create({
      ...body,
      spec: { ...body.spec, source: { endpoints: { urls: [cluster.info.etcdEndpoint], clientTLSSecret: 'nope' } } },
    });
    const failed = await waitFor(
      'the attempt to fail',
      async () => {
        const current = await readBackup('no-client-secret');
        const condition = current.status?.conditions?.find((candidate) => candidate.type === 'Failed');
        return condition?.status === 'True' ? condition : undefined;
      },
      30_000,
    );
    assert.equal(failed.reason, 'ClientTLSInvalid');
    assert.match(failed.message, /Secret .*\/nope/);
    assert.deepEqual((await readBackup('no-client-secret')).status?.backups ?? [], []);
  });

  it(`keeps the newest ${UPGRADE_SNAPSHOTS_KEPT} pre-upgrade snapshots of a cluster, removing older ones and their EtcdBackups`, async () => {
    const destination = { s3: { ...s3Destination(s3.endpoint).s3, prefix: 'pre-upgrade' } };
    const taken: { name: string; snapshot: string }[] = [];
    for (const generation of [1, 2, 3, 4]) {
      const name = upgradeSnapshotName('main', generation);
      const body = aBackup(name, destination);
      await create({ ...body, metadata: { ...body.metadata, labels: { [UPGRADE_SNAPSHOT_LABEL]: 'main' } } });
      const stored = await waitFor(
        `${name} to be stored`,
        async () => (await readBackup(name)).status?.backups?.[0],
        60_000,
      );
      taken.push({ name, snapshot: stored.name });
    }
    const [oldest, ...kept] = taken;
    assert.ok(oldest !== undefined);
    // Gone means a 404.
    await waitFor(
      `${oldest.name} to be deleted`,
      async () => {
        try {
          await readBackup(oldest.name);
          return undefined;
        } catch (error) {
          return statusCodeOf(error) === 404 || undefined;
        }
      },
      30_000,
    );
    for (const backup of kept)
      assert.equal((await readBackup(backup.name)).status?.backups?.[0]?.name, backup.snapshot);
    const store = new S3Store({ ...destination.s3, credentials: s3.credentials });
    try {
      assert.deepEqual(
        (await store.list()).map((object) => object.name).sort(),
        kept.map((backup) => backup.snapshot).sort(),
      );
    } finally {
      store.close();
    }
    // The Event follows the deletion.
    const removed = await waitFor('the UpgradeSnapshotRemoved Event', async () => {
      const list = await kubeConfig.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace });
      const found = list.items.filter((event) => event.reason === 'UpgradeSnapshotRemoved');
      return found.length > 0 ? found : undefined;
    });
    assert.deepEqual(
      removed.map((event) => [event.regarding?.name, event.note?.includes(oldest.name)]),
      [[upgradeSnapshotName('main', 4), true]],
    );
  });

  it('takes a scheduled backup at each cron firing, to a claim directory and to S3, keeping maxBackups', async (t) => {
    // Five-field cron fires once a minute at most: two firings (the second removing the first) cost 60–120 s.
    const scheduled = { schedule: '* * * * *', retention: { maxBackups: 1 } };
    const createdAt = Date.now();
    await create(aBackup('every-minute-pvc', { pvc: { claimName: 'backups', path: 'scheduled' } }, scheduled));
    await create(
      aBackup('every-minute-s3', { s3: { ...s3Destination(s3.endpoint).s3, prefix: 'scheduled' } }, scheduled),
    );
    const stores: Record<string, BackupStore> = {
      'every-minute-pvc': new DirectoryStore(join(work, 'claims', namespace, 'backups', 'scheduled')),
      'every-minute-s3': new S3Store({
        ...s3Destination(s3.endpoint).s3,
        prefix: 'scheduled',
        credentials: s3.credentials,
      }),
    };
    try {
      for (const [name, store] of Object.entries(stores)) {
        const backup = await waitFor(
          `two scheduled backups of ${name}`,
          async () => {
            const current = await readBackup(name);
            const succeeded = (current.status?.history ?? []).filter((entry) => entry.outcome === 'Succeeded');
            return succeeded.length >= 2 ? current : undefined;
          },
          { timeoutMs: 150_000, intervalMs: 500 },
        );
        const history = backup.status?.history ?? [];
        assert.ok(
          history.every((entry) => entry.outcome === 'Succeeded'),
          `no failed attempt: ${JSON.stringify(history)}`,
        );
        const [first, second] = history.map((entry) => Date.parse(entry.time));
        assert.ok(first !== undefined && second !== undefined);
        // Each firing on a minute boundary after the creation, the second one minute after the first.
        for (const time of [first, second]) {
          assert.ok(time > createdAt, 'no backup before the first firing');
          assert.ok(time % 60_000 < 15_000, `${new Date(time).toISOString()} is within 15 s after a minute boundary`);
        }
        assert.equal(Math.floor(second / 60_000) - Math.floor(first / 60_000), 1, 'consecutive firings');
        const records = backup.status?.backups ?? [];
        assert.equal(records.length, 1, 'maxBackups: 1 keeps one record');
        const kept = records[0];
        const keptAt = Date.parse(kept?.takenAt ?? '');
        assert.ok(keptAt > first && keptAt <= second, 'the newest backup (taken in the second firing) is the one kept');
        const stored = (await store.list()).map((object) => object.name);
        assert.deepEqual(stored, [kept?.name], `${name}: the store holds only the kept backup`);
        const events = await kubeConfig.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace });
        const removed = events.items.filter(
          (event) => event.regarding?.name === name && event.reason === 'BackupRemoved',
        );
        assert.equal(removed.length, 1, `${name}: one BackupRemoved Event`);
        t.diagnostic(
          `${name}: created ${new Date(createdAt).toISOString()}, fired ${history.map((entry) => entry.time).join(', ')}`,
        );
      }
    } finally {
      for (const store of Object.values(stores)) store.close();
    }
  });
});
