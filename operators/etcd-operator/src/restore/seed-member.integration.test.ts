// The seeding steps a restored member's pod runs, on a real snapshot of the harness control plane's etcd kept in a
// directory store (as on a backup claim): the fetch verifies it again and refuses an altered copy; a data directory
// that holds a member is never written, by either step; the install moves the restored data in whole.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPemPair } from '@strata/assets';
import { sharedControlPlane } from '@strata/harness';
import { DirectoryStore } from '../backup/directory-store.ts';
import { CorruptSnapshotError } from '../backup/snapshot-file.ts';
import { takeSnapshot, type TakenSnapshot } from '../backup/take-snapshot.ts';
import { fetchSeed, installSeed, SEED_RESTORED, SEED_S3_ENV, SEED_SNAPSHOT, SeedError } from './seed-member.ts';
import type { SeedSource } from './seed-source.ts';

let work: string;
let snapshot: TakenSnapshot;
const NAME = 'main-20261205T020000Z-r1.db';

/** A pod's seed and data directories, fresh for each test. */
async function aPod(name: string): Promise<{ dataDir: string; seedDir: string }> {
  const dataDir = join(work, name, 'data');
  const seedDir = join(work, name, 'seed');
  await Promise.all([mkdir(dataDir, { recursive: true }), mkdir(seedDir, { recursive: true })]);
  return { dataDir, seedDir };
}

const aSource = (overrides: Partial<SeedSource> = {}): SeedSource => ({
  token: 'restore-uid',
  name: NAME,
  sha256: snapshot.sha256,
  revision: snapshot.revision,
  store: { kind: 'pvc', claimName: 'backups', path: 'etcd' },
  ...overrides,
});

const fetchOptions = (pod: { dataDir: string; seedDir: string }, source: SeedSource) => ({
  source,
  ...pod,
  backupMount: join(work, 'claim'),
  env: {},
});

before(async () => {
  const cluster = await sharedControlPlane();
  const [ca, client] = await Promise.all([
    readPemPair(cluster.info.pkiDir, 'etcd-ca'),
    readPemPair(cluster.info.pkiDir, 'apiserver-etcd-client'),
  ]);
  work = await mkdtemp(join(tmpdir(), 'strata-seed-'));
  snapshot = await takeSnapshot(
    {
      endpoints: [cluster.info.etcdEndpoint],
      tls: { ca: ca.certificatePem, cert: client.certificatePem, key: client.privateKeyPem },
    },
    join(work, 'taken'),
  );
  // The backup claim as the member pod mounts it: <mount>/<path>/<name>.
  await new DirectoryStore(join(work, 'claim', 'etcd')).put(snapshot.path, NAME);
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("a restored member's seeding steps", () => {
  it('fetch the snapshot from the backup claim, verified again, byte for byte the backup', async () => {
    const pod = await aPod('fetch');
    assert.equal(await fetchSeed(fetchOptions(pod, aSource())), 'seeded');
    assert.deepEqual(await readFile(join(pod.seedDir, SEED_SNAPSHOT)), await readFile(snapshot.path));
    assert.deepEqual(await readdir(pod.seedDir), [SEED_SNAPSHOT], 'no partial file left');
  });

  it('refuse a snapshot whose sha256 or revision is not the verified one, leaving nothing to restore', async () => {
    for (const [overrides, why] of [
      [{ sha256: 'ab'.repeat(32) }, /its sha256 [0-9a-f]{64} is not the verified abab/],
      [{ revision: snapshot.revision + 1 }, new RegExp(`holds revision ${snapshot.revision}, not the verified`)],
    ] as const) {
      const pod = await aPod(`refuse-${Object.keys(overrides)[0] ?? ''}`);
      await assert.rejects(fetchSeed(fetchOptions(pod, aSource(overrides))), (error: unknown) => {
        assert.ok(error instanceof CorruptSnapshotError, String(error));
        assert.match(error.message, why);
        return true;
      });
      assert.deepEqual(await readdir(pod.seedDir), []);
    }
  });

  it('refuse an altered copy in the store (one byte flipped)', async () => {
    const altered = join(work, 'altered-claim', 'etcd');
    await mkdir(altered, { recursive: true });
    const bytes = await readFile(snapshot.path);
    bytes[Math.floor(bytes.length / 2)] = (bytes[Math.floor(bytes.length / 2)] ?? 0) ^ 0xff;
    await writeFile(join(altered, NAME), bytes);
    const pod = await aPod('altered');
    await assert.rejects(
      fetchSeed({ ...fetchOptions(pod, aSource()), backupMount: join(work, 'altered-claim') }),
      CorruptSnapshotError,
    );
    assert.deepEqual(await readdir(pod.seedDir), []);
  });

  it('need the S3 credentials in the environment, and name the Secret without them', async () => {
    const pod = await aPod('no-credentials');
    const store = {
      kind: 's3',
      endpoint: 'http://127.0.0.1:9',
      bucket: 'b',
      forcePathStyle: true,
      credentialsSecret: 's3-credentials',
    } as const;
    await assert.rejects(fetchSeed(fetchOptions(pod, aSource({ store }))), (error: unknown) => {
      assert.ok(error instanceof SeedError);
      assert.match(error.message, /not in the environment \(Secret s3-credentials\)/);
      assert.ok(!error.message.includes(SEED_S3_ENV.secretAccessKey));
      return true;
    });
  });

  it('never fetch into, nor install over, a data directory that holds a member', async () => {
    const pod = await aPod('seeded-before');
    const db = join(pod.dataDir, 'member', 'snap', 'db');
    await mkdir(join(pod.dataDir, 'member', 'snap'), { recursive: true });
    await writeFile(db, 'the member data etcd wrote since its seeding');
    // The store is not even asked: a source that would fail proves it.
    const unreachable = aSource({ store: { kind: 'pvc', claimName: 'gone', path: 'nowhere' } });
    assert.equal(await fetchSeed(fetchOptions(pod, unreachable)), 'alreadySeeded');
    // etcdutl is handed the member's own database, restored into scratch that the install discards.
    assert.equal(await readlink(join(pod.seedDir, SEED_SNAPSHOT)), db);
    await mkdir(join(pod.seedDir, SEED_RESTORED, 'member', 'snap'), { recursive: true });
    await writeFile(join(pod.seedDir, SEED_RESTORED, 'member', 'snap', 'db'), 'scratch');
    assert.equal(await installSeed(pod), 'alreadySeeded');
    assert.equal(await readFile(db, 'utf8'), 'the member data etcd wrote since its seeding');
    assert.deepEqual(await readdir(pod.seedDir), []);
  });

  it('install the restored member directory whole, clearing a half-done earlier install first', async () => {
    const pod = await aPod('install');
    const restored = join(pod.seedDir, SEED_RESTORED, 'member');
    await mkdir(join(restored, 'snap'), { recursive: true });
    await mkdir(join(restored, 'wal'), { recursive: true });
    await writeFile(join(restored, 'snap', 'db'), 'restored db');
    await writeFile(join(restored, 'wal', '0.wal'), 'restored wal');
    await mkdir(join(pod.dataDir, '.member.seeding', 'snap'), { recursive: true });
    await writeFile(join(pod.dataDir, '.member.seeding', 'snap', 'db'), 'a crashed install');
    assert.equal(await installSeed(pod), 'seeded');
    assert.deepEqual(await readdir(pod.dataDir), ['member']);
    assert.equal(await readFile(join(pod.dataDir, 'member', 'snap', 'db'), 'utf8'), 'restored db');
    assert.equal(await readFile(join(pod.dataDir, 'member', 'wal', '0.wal'), 'utf8'), 'restored wal');
    assert.deepEqual(await readdir(pod.seedDir), []);
  });

  it('refuse to install when etcdutl restored nothing', async () => {
    const pod = await aPod('nothing');
    await assert.rejects(installSeed(pod), /etcdutl restored nothing/);
    assert.deepEqual(await readdir(pod.dataDir), []);
  });
});
