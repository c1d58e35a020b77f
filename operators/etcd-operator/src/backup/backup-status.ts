// An EtcdBackup's status after one attempt: pure, so that what a success or a failure records is unit-tested.
import type { EtcdBackup } from '@strata/api';
import { nextCondition } from '../conditions.ts';

export type EtcdBackupStatus = NonNullable<EtcdBackup['status']>;
export type BackupRecord = NonNullable<EtcdBackupStatus['backups']>[number];
type HistoryEntry = NonNullable<EtcdBackupStatus['history']>[number];

/** The CRD caps the history; the oldest entries go first. */
export const HISTORY_LIMIT = 50;

function withHistory(previous: EtcdBackupStatus | undefined, entry: HistoryEntry): HistoryEntry[] {
  return [...(previous?.history ?? []), entry].slice(-HISTORY_LIMIT);
}

/**
 * A backup that was stored: it joins the list (newest last) and the history, `lastSuccess` moves to it, and the
 * backups retention removed leave the list.
 */
export function recordSuccess(
  previous: EtcdBackupStatus | undefined,
  record: BackupRecord,
  removed: readonly string[],
  now: Date,
): EtcdBackupStatus {
  const backups = [...(previous?.backups ?? []), record]
    .filter((backup) => !removed.includes(backup.name))
    .sort((a, b) => Date.parse(a.takenAt) - Date.parse(b.takenAt));
  const message = `stored ${record.location}: revision ${record.revision}, etcd ${record.etcdVersion}, ${record.size} bytes, sha256 ${record.sha256}`;
  return {
    ...previous,
    lastSuccess: record.takenAt,
    backups,
    history: withHistory(previous, { time: now.toISOString(), outcome: 'Succeeded', message }),
    conditions: [
      nextCondition(previous?.conditions, 'Ready', { status: 'True', reason: 'BackupStored', message }, now),
      nextCondition(
        previous?.conditions,
        'Failed',
        { status: 'False', reason: 'BackupStored', message: 'the last attempt succeeded' },
        now,
      ),
    ],
  };
}

/**
 * An attempt that failed: `lastSuccess` and the list stay as they were (a partial backup never counts), the history
 * and the Failed condition quote the error. Ready stays True while an earlier backup exists.
 */
export function recordFailure(
  previous: EtcdBackupStatus | undefined,
  reason: string,
  message: string,
  now: Date,
): EtcdBackupStatus {
  const hasBackup = (previous?.backups ?? []).length > 0;
  return {
    ...previous,
    history: withHistory(previous, { time: now.toISOString(), outcome: 'Failed', message: message.slice(0, 4096) }),
    conditions: [
      nextCondition(
        previous?.conditions,
        'Ready',
        hasBackup
          ? {
              status: 'True',
              reason: 'EarlierBackupStored',
              message: `the newest backup is from ${previous?.lastSuccess ?? 'before'}`,
            }
          : { status: 'False', reason, message: 'no backup has been stored yet' },
        now,
      ),
      nextCondition(previous?.conditions, 'Failed', { status: 'True', reason, message: message.slice(0, 32768) }, now),
    ],
  };
}
