// One backup, start to end: a verified snapshot from the best member, stored whole, then retention. What a scheduled or
// one-shot EtcdBackup does each time; the record it returns is what the status lists.
import { rm } from 'node:fs/promises';
import type { BackupRecord } from './backup-status.ts';
import { backupName, expiredBackups, type RetainedBackup, type RetentionPolicy } from './retention.ts';
import type { BackupStore } from './store.ts';
import { takeSnapshot, type SnapshotSource } from './take-snapshot.ts';

export interface BackupRun {
  /** The EtcdBackup's name: the prefix of every backup it takes. */
  readonly name: string;
  readonly source: SnapshotSource;
  readonly store: BackupStore;
  /** The backups recorded so far (the status's list), for retention. */
  readonly recorded: readonly RetainedBackup[];
  readonly retention?: RetentionPolicy;
  /** At most this many expired backups are removed (the oldest first); the others expire again next time. */
  readonly maxRemovals?: number;
  /** A private scratch directory for the snapshot before it is stored. */
  readonly scratchDirectory: string;
  readonly now?: () => Date;
  readonly signal?: AbortSignal;
}

export interface BackupOutcome {
  readonly record: BackupRecord;
  /** Names retention removed from the store. */
  readonly removed: readonly string[];
}

export async function runBackup(run: BackupRun): Promise<BackupOutcome> {
  const now = run.now ?? (() => new Date());
  const takenAt = now();
  const snapshot = await takeSnapshot(run.source, run.scratchDirectory, {
    ...(run.signal === undefined ? {} : { signal: run.signal }),
  });
  let record: BackupRecord;
  try {
    const name = backupName(run.name, takenAt, snapshot.revision);
    const location = await run.store.put(snapshot.path, name, snapshot);
    record = {
      name,
      takenAt: takenAt.toISOString(),
      revision: snapshot.revision,
      etcdVersion: snapshot.etcdVersion,
      size: snapshot.size,
      sha256: snapshot.sha256,
      location,
    };
  } finally {
    await rm(snapshot.path, { force: true });
  }
  // Retention only after the new backup is whole: a failed attempt never costs an older backup.
  const expired = expiredBackups([...run.recorded, record], run.retention ?? {}, now())
    .reverse()
    .slice(0, run.maxRemovals ?? Number.POSITIVE_INFINITY);
  for (const backup of expired) await run.store.remove(backup.name);
  return { record, removed: expired.map((backup) => backup.name) };
}
