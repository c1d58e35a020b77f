// Snapshots of a real etcd (the harness control plane's own, over TLS: the `endpoints` source form) into a directory
// and into a real S3-compatible server (MinIO), and the refusals: a corrupt file, an unreachable or refusing endpoint.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPemPair } from '@strata/assets';
import { sharedControlPlane, uniqueName, type HarnessCluster } from '@strata/harness';
import { startS3Server, type S3Server } from '@strata/platform-local/testing';
import { EtcdClient } from '../etcd/gateway-client.ts';
import type { EtcdClientTls } from '../etcd/tls.ts';
import { DirectoryStore } from './directory-store.ts';
import { backupName } from './retention.ts';
import { S3Store } from './s3-store.ts';
import { CorruptSnapshotError, verifySnapshotFile } from './snapshot-file.ts';
import { recordFailure } from './backup-status.ts';
import { runBackup } from './run-backup.ts';
import { BackupStoreError } from './store.ts';
import { NoSnapshotSourceError, takeSnapshot, type TakenSnapshot } from './take-snapshot.ts';

const sha256Of = async (path: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

let cluster: HarnessCluster;
let tls: EtcdClientTls;
let work: string;
let s3: S3Server;
let snapshot: TakenSnapshot;
let revisionWritten: number;

before(async () => {
  [cluster, s3] = await Promise.all([sharedControlPlane(), startS3Server({ buckets: ['etcd-backups'] })]);
  const [ca, client] = await Promise.all([
    readPemPair(cluster.info.pkiDir, 'etcd-ca'),
    readPemPair(cluster.info.pkiDir, 'apiserver-etcd-client'),
  ]);
  tls = { ca: ca.certificatePem, cert: client.certificatePem, key: client.privateKeyPem };
  work = await mkdtemp(join(tmpdir(), 'strata-etcd-backup-'));
  const etcd = new EtcdClient({ tls });
  const prefix = `/${uniqueName('backup-test')}/`;
  for (let index = 0; index < 20; index += 1) await etcd.put(cluster.info.etcdEndpoint, `${prefix}${index}`, 'v');
  revisionWritten = Number((await etcd.status(cluster.info.etcdEndpoint)).header.revision);
  snapshot = await takeSnapshot({ endpoints: [cluster.info.etcdEndpoint], tls }, join(work, 'taken'));
});

after(async () => {
  await s3.stop();
  await rm(work, { recursive: true, force: true });
});

describe("a snapshot of the control plane's own etcd (endpoints with a client certificate)", () => {
  it('is verified, and records its revision, etcd version, size and sha256', async () => {
    assert.ok(snapshot.revision >= revisionWritten, `revision ${snapshot.revision} < ${revisionWritten}`);
    assert.equal(snapshot.etcdVersion, '3.6.16');
    assert.equal(snapshot.sha256, await sha256Of(snapshot.path));
    assert.equal(snapshot.size, (await readFile(snapshot.path)).length);
    assert.deepEqual(await verifySnapshotFile(snapshot.path), {
      size: snapshot.size,
      sha256: snapshot.sha256,
      revision: snapshot.revision,
    });
  });

  it('comes from a member that answers when another endpoint does not, and fails naming each when none does', async () => {
    const dead = 'https://127.0.0.1:9';
    const chosen = await takeSnapshot({ endpoints: [dead, cluster.info.etcdEndpoint], tls }, join(work, 'mixed'));
    assert.equal(chosen.endpoint, cluster.info.etcdEndpoint);
    await assert.rejects(
      takeSnapshot({ endpoints: [dead], tls }, join(work, 'none')),
      (error) => error instanceof NoSnapshotSourceError && error.message.includes(`etcd at ${dead} did not answer`),
    );
    assert.deepEqual(await readdir(join(work, 'none')).catch(() => []), []);
  });
});

describe('a corrupt snapshot', () => {
  it('is rejected when a byte of its database changed', async () => {
    const path = join(work, 'flipped.db');
    const bytes = await readFile(snapshot.path);
    bytes[Math.floor(bytes.length / 2)] = (bytes[Math.floor(bytes.length / 2)] ?? 0) ^ 0xff;
    await writeFile(path, bytes);
    await assert.rejects(
      verifySnapshotFile(path),
      (error) =>
        error instanceof CorruptSnapshotError && error.reason === 'its sha256 trailer does not match its content',
    );
  });

  it('is rejected when it was cut short, within a page or by whole pages', async () => {
    const path = join(work, 'short.db');
    await writeFile(path, await readFile(snapshot.path));
    await truncate(path, snapshot.size - 100);
    await assert.rejects(verifySnapshotFile(path), /has no sha256 trailer/);
    await truncate(path, snapshot.size - 100 - 4096 * 2 + 100);
    await assert.rejects(verifySnapshotFile(path), /its sha256 trailer does not match its content/);
  });
});

describe('a directory store', () => {
  it('holds the snapshot under its name, byte for byte, and no temporary file', async () => {
    const store = new DirectoryStore(join(work, 'pvc'));
    const name = backupName('main', new Date(), snapshot.revision);
    const location = await store.put(snapshot.path, name);
    assert.equal(location, join(work, 'pvc', name));
    assert.equal(await sha256Of(location), snapshot.sha256);
    assert.deepEqual(await readdir(join(work, 'pvc')), [name]);
    assert.deepEqual(await store.list(), [{ name, location }]);
    await store.remove(name);
    assert.deepEqual(await store.list(), []);
  });

  it('fails naming the directory when it cannot write there, and lists nothing', async () => {
    const blocker = join(work, 'not-a-directory');
    await writeFile(blocker, '');
    const store = new DirectoryStore(blocker);
    await assert.rejects(store.put(snapshot.path, 'x.db'), (error) => error instanceof BackupStoreError);
    await assert.rejects(store.list(), /could not list backups/);
  });
});

describe('an S3 store (MinIO)', () => {
  const options = () => ({
    endpoint: s3.endpoint,
    bucket: 'etcd-backups',
    prefix: 'clusters/main',
    forcePathStyle: true,
    credentials: s3.credentials,
  });

  it('stores, lists, reads back and removes a snapshot with its recorded sha256', async () => {
    const store = new S3Store(options());
    try {
      const name = backupName('main', new Date(), snapshot.revision);
      const location = await store.put(snapshot.path, name, snapshot);
      assert.equal(location, `s3://etcd-backups/clusters/main/${name}`);
      assert.deepEqual(await store.list(), [{ name, location }]);
      assert.equal(await store.recordedSha256(name), snapshot.sha256);
      const copy = join(work, 'from-s3.db');
      await store.get(name, copy);
      assert.equal(await sha256Of(copy), snapshot.sha256);
      await store.remove(name);
      assert.deepEqual(await store.list(), []);
      // Gone means a 404 from the server.
      await assert.rejects(store.recordedSha256(name), /HTTP 404/);
    } finally {
      store.close();
    }
  });

  it('quotes the connection error of an unreachable endpoint', async () => {
    const store = new S3Store({ ...options(), endpoint: 'http://127.0.0.1:9' });
    try {
      await assert.rejects(
        store.put(snapshot.path, 'x.db', snapshot),
        (error) =>
          error instanceof BackupStoreError &&
          error.message.startsWith('S3 at http://127.0.0.1:9 refused to store s3://etcd-backups/clusters/main/x.db') &&
          /ECONNREFUSED/.test(error.message),
      );
    } finally {
      store.close();
    }
  });

  it("quotes the server's refusal of wrong credentials and of a missing bucket", async () => {
    const wrong = new S3Store({
      ...options(),
      credentials: { accessKeyId: 'nobody', secretAccessKey: 'wrong-secret' },
    });
    const noBucket = new S3Store({ ...options(), bucket: 'no-such-bucket' });
    try {
      await assert.rejects(wrong.put(snapshot.path, 'x.db', snapshot), /HTTP 403: InvalidAccessKeyId/);
      await assert.rejects(noBucket.put(snapshot.path, 'x.db', snapshot), /HTTP 404: NoSuchBucket/);
      assert.deepEqual(await new S3Store(options()).list(), []);
    } finally {
      wrong.close();
      noBucket.close();
    }
  });
});

describe('one backup run after another, with retention', () => {
  it('keeps the newest maxBackups in S3, each verified and recorded, the newest last', async () => {
    const store = new S3Store({
      endpoint: s3.endpoint,
      bucket: 'etcd-backups',
      prefix: 'retention',
      forcePathStyle: true,
      credentials: s3.credentials,
    });
    try {
      const recorded = [];
      const removed: string[] = [];
      for (let second = 0; second < 3; second += 1) {
        const outcome = await runBackup({
          name: 'cp',
          source: { endpoints: [cluster.info.etcdEndpoint], tls },
          store,
          recorded: recorded.filter((record) => !removed.includes(record.name)),
          retention: { maxBackups: 2 },
          scratchDirectory: join(work, 'scratch'),
          now: () => new Date(Date.UTC(2026, 11, 4, 12, 0, second)),
        });
        recorded.push(outcome.record);
        removed.push(...outcome.removed);
        assert.equal(await store.recordedSha256(outcome.record.name), outcome.record.sha256);
      }
      assert.deepEqual(removed, [recorded[0]?.name]);
      assert.deepEqual(
        (await store.list()).map((object) => object.name),
        recorded.slice(1).map((record) => record.name),
      );
      assert.deepEqual(await readdir(join(work, 'scratch')), []);
    } finally {
      store.close();
    }
  });

  it('keeps the newest by maxAge in a directory', async () => {
    const store = new DirectoryStore(join(work, 'aged'));
    const old = await runBackup({
      name: 'cp',
      source: { endpoints: [cluster.info.etcdEndpoint], tls },
      store,
      recorded: [],
      scratchDirectory: join(work, 'scratch'),
      now: () => new Date(Date.UTC(2026, 11, 4, 10)),
    });
    const fresh = await runBackup({
      name: 'cp',
      source: { endpoints: [cluster.info.etcdEndpoint], tls },
      store,
      recorded: [old.record],
      retention: { maxAge: '1h' },
      scratchDirectory: join(work, 'scratch'),
      now: () => new Date(Date.UTC(2026, 11, 4, 12)),
    });
    assert.deepEqual(fresh.removed, [old.record.name]);
    assert.deepEqual(await store.list(), [{ name: fresh.record.name, location: fresh.record.location }]);
  });

  it('fails on an unreachable S3 endpoint with a status quoting the error, and removes nothing', async () => {
    const store = new S3Store({
      endpoint: 'http://127.0.0.1:9',
      bucket: 'etcd-backups',
      forcePathStyle: true,
      credentials: s3.credentials,
    });
    try {
      const error = await runBackup({
        name: 'cp',
        source: { endpoints: [cluster.info.etcdEndpoint], tls },
        store,
        recorded: [],
        retention: { maxBackups: 1 },
        scratchDirectory: join(work, 'scratch'),
      }).then(
        () => assert.fail('the backup was stored'),
        (failure: unknown) => failure,
      );
      assert.ok(error instanceof BackupStoreError);
      const status = recordFailure(undefined, 'StoreFailed', error.message, new Date());
      assert.match(status.conditions?.find((condition) => condition.type === 'Failed')?.message ?? '', /ECONNREFUSED/);
      assert.deepEqual(await readdir(join(work, 'scratch')), []);
    } finally {
      store.close();
    }
  });
});
