// Fetches a stored snapshot into a private directory and verifies it (the sha256 recorded for it, etcd's trailer, the
// recorded revision) before it gets its final name: what a restore and a recovery from a backup both rely on.
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CorruptSnapshotError, verifySnapshotFile, type VerifiedSnapshot } from '../backup/snapshot-file.ts';
import type { BackupStore } from '../backup/store.ts';

export interface SnapshotToFetch {
  readonly store: BackupStore;
  /** Its name in the store. */
  readonly name: string;
  /** Where it is, for messages: a path or an s3:// URL. */
  readonly location: string;
  /** What it must hash to; none at all is a refusal, not a pass. */
  readonly sha256: () => Promise<string | undefined>;
  /** The revision recorded for it, when one was. */
  readonly revision?: number;
}

/** Copies the snapshot next to `staged`, verifies it, and only then gives it the staged name. */
export async function fetchVerified(source: SnapshotToFetch, staged: string): Promise<VerifiedSnapshot> {
  // Snapshots hold every Secret of the cluster they came from: only the operator may enter the directory.
  await mkdir(dirname(staged), { recursive: true, mode: 0o700 });
  const partial = `${staged}.partial`;
  await rm(partial, { force: true });
  try {
    await source.store.get(source.name, partial);
    const verified = checkVerified(
      source.location,
      await verifySnapshotFile(partial),
      await source.sha256(),
      source.revision,
    );
    await rename(partial, staged);
    return verified;
  } finally {
    await rm(partial, { force: true });
  }
}

/**
 * The figures of a snapshot read whole (verifySnapshotFile: etcd's trailer, the revision) held against what was recorded
 * for it: the sha256 (none at all is a refusal, not a pass) and the revision when one was recorded.
 */
export function checkVerified(
  location: string,
  verified: VerifiedSnapshot,
  expected: string | undefined,
  revision: number | undefined,
): VerifiedSnapshot {
  if (expected === undefined) {
    throw new CorruptSnapshotError(location, 'no sha256 is recorded for it, so it cannot be checked');
  }
  if (verified.sha256 !== expected) {
    throw new CorruptSnapshotError(location, `its sha256 ${verified.sha256} is not the recorded ${expected}`, {
      expected,
      actual: verified.sha256,
    });
  }
  if (revision !== undefined && verified.revision !== revision) {
    throw new CorruptSnapshotError(location, `it holds revision ${verified.revision}, not the recorded ${revision}`);
  }
  return verified;
}
