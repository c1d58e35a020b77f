// What a restored cluster's founding member runs before etcd starts, in three init containers:
//   1. `seed-fetch` (the operator's image): reads the snapshot from the store the EtcdRestore verified it in and
//      verifies it again here (sha256, etcd's trailer, revision), into the pod's seed directory;
//   2. `etcdutl snapshot restore` (the member's etcd image, so that the data is written by the release that runs it)
//      into `<seed>/restored`, with a new initial cluster token: a new cluster ID;
//   3. `seed-install` (the operator's image): moves the restored member directory into the (empty) data directory.
// A data directory that already holds a member is never written: the pod restarted after its seeding, and its data
// (which etcd may have changed since) is the member's. Then step 1 hands etcdutl the member's own database to restore
// into scratch, which step 3 discards, so that the fixed chain of init containers succeeds without the store.
import { constants } from 'node:fs';
import { access, cp, mkdir, open, readdir, rename, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { StrataError } from '@strata/api';
import { DirectoryStore } from '../backup/directory-store.ts';
import { s3StoreAt } from '../backup/open-store.ts';
import { CorruptSnapshotError, verifySnapshotFile } from '../backup/snapshot-file.ts';
import type { BackupStore } from '../backup/store.ts';
import type { SeedSource } from './seed-source.ts';

/** Seeding cannot go on: a missing credential, or nothing restored to install. */
export class SeedError extends StrataError {}

/** In the seed directory: the verified snapshot etcdutl restores. */
export const SEED_SNAPSHOT = 'snapshot.db';
/** In the seed directory: etcdutl's output data directory. */
export const SEED_RESTORED = 'restored';
/** Environment variables of the fetch step: the S3 credentials, from the credentials Secret by secretKeyRef. */
export const SEED_S3_ENV = { accessKeyId: 'STRATA_SEED_S3_ACCESS_KEY_ID', secretAccessKey: 'STRATA_SEED_S3_SECRET' };

export type SeedOutcome = 'seeded' | 'alreadySeeded';

const exists = async (path: string): Promise<boolean> => {
  try {
    await access(path, constants.F_OK);
    return true;
  } catch {
    return false;
  }
};

export interface FetchSeedOptions {
  readonly source: SeedSource;
  /** The member's data directory (etcd's --data-dir). */
  readonly dataDir: string;
  /** The pod's seed directory (an emptyDir). */
  readonly seedDir: string;
  /** Where the backup claim is mounted, for a store on a claim. */
  readonly backupMount: string;
  readonly env: NodeJS.ProcessEnv;
}

function openSeedStore(options: FetchSeedOptions): BackupStore {
  const { store } = options.source;
  if (store.kind === 'pvc') return new DirectoryStore(join(options.backupMount, store.path.replace(/^\/+/, '')));
  const accessKeyId = options.env[SEED_S3_ENV.accessKeyId];
  const secretAccessKey = options.env[SEED_S3_ENV.secretAccessKey];
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    throw new SeedError(`the S3 credentials are not in the environment (Secret ${store.credentialsSecret})`, {
      secret: store.credentialsSecret,
    });
  }
  return s3StoreAt(store, { accessKeyId, secretAccessKey });
}

/** Step 1: the verified snapshot in `<seed>/snapshot.db`, or the member's own database when it was seeded before. */
export async function fetchSeed(options: FetchSeedOptions): Promise<SeedOutcome> {
  const { source, dataDir, seedDir } = options;
  const snapshot = join(seedDir, SEED_SNAPSHOT);
  const partial = `${snapshot}.partial`;
  // Whatever an earlier run left is scratch: etcdutl refuses an output directory that is not empty.
  await Promise.all(
    [snapshot, partial, join(seedDir, SEED_RESTORED)].map((path) => rm(path, { recursive: true, force: true })),
  );
  if (await exists(join(dataDir, 'member'))) {
    await symlink(join(dataDir, 'member', 'snap', 'db'), snapshot);
    return 'alreadySeeded';
  }
  await mkdir(seedDir, { recursive: true, mode: 0o700 });
  const store = openSeedStore(options);
  try {
    await store.get(source.name, partial);
    const verified = await verifySnapshotFile(partial);
    if (verified.sha256 !== source.sha256) {
      throw new CorruptSnapshotError(
        source.name,
        `its sha256 ${verified.sha256} is not the verified ${source.sha256}`,
        {
          expected: source.sha256,
          actual: verified.sha256,
        },
      );
    }
    if (verified.revision !== source.revision) {
      throw new CorruptSnapshotError(
        source.name,
        `it holds revision ${verified.revision}, not the verified ${source.revision}`,
      );
    }
    await rename(partial, snapshot);
    return 'seeded';
  } finally {
    store.close();
    await rm(partial, { force: true });
  }
}

async function fsyncTree(path: string): Promise<void> {
  const entries = await readdir(path, { withFileTypes: true });
  for (const entry of entries) {
    if (entry.isDirectory()) await fsyncTree(join(path, entry.name));
    else if (entry.isFile()) await fsyncPath(join(path, entry.name));
  }
  await fsyncPath(path);
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Step 3: etcdutl's `member` directory becomes the data directory's, whole or not at all. */
export async function installSeed(options: {
  readonly dataDir: string;
  readonly seedDir: string;
}): Promise<SeedOutcome> {
  const { dataDir, seedDir } = options;
  const target = join(dataDir, 'member');
  const staging = join(dataDir, '.member.seeding');
  await rm(staging, { recursive: true, force: true });
  const scratch = [join(seedDir, SEED_RESTORED), join(seedDir, SEED_SNAPSHOT)];
  if (await exists(target)) {
    await Promise.all(scratch.map((path) => rm(path, { recursive: true, force: true })));
    return 'alreadySeeded';
  }
  const restored = join(seedDir, SEED_RESTORED, 'member');
  if (!(await exists(restored))) {
    throw new SeedError(`${restored} does not exist: etcdutl restored nothing`, { path: restored });
  }
  try {
    await rename(restored, staging);
  } catch (error) {
    // The seed directory and the data directory are different volumes: copy, then make the copy durable.
    if (!(error instanceof Error && 'code' in error && error.code === 'EXDEV')) throw error;
    await cp(restored, staging, { recursive: true });
  }
  await fsyncTree(staging);
  await rename(staging, target);
  await fsyncPath(dataDir);
  await Promise.all(scratch.map((path) => rm(path, { recursive: true, force: true })));
  return 'seeded';
}
