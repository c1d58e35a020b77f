// Names of backups and which of them retention removes: pure, so that every rule has a unit test.
import { StrataError } from '@strata/api';
import { SNAPSHOT_SUFFIX } from './store.ts';

export class RetentionSpecError extends StrataError {}

/** A backup as retention sees it: its name and when it was taken. */
export interface RetainedBackup {
  readonly name: string;
  readonly takenAt: string;
}

export interface RetentionPolicy {
  readonly maxBackups?: number | undefined;
  /** A duration such as 168h, 90m or 1h30m (the CRD's pattern). */
  readonly maxAge?: string | undefined;
}

/**
 * `<backup>-<UTC time to the second>-r<revision>.db`: names sort by time, say where they come from, and two backups
 * of one EtcdBackup never share a name unless taken in the same second at the same revision (the same data).
 */
export function backupName(backup: string, takenAt: Date, revision: number): string {
  const stamp = takenAt
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replaceAll(/[-:]/g, '');
  return `${backup}-${stamp}-r${revision}${SNAPSHOT_SUFFIX}`;
}

/** The duration of `maxAge` in milliseconds. */
export function parseRetentionAge(age: string): number {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(age);
  if (match === null || age === '') {
    throw new RetentionSpecError(`maxAge ${JSON.stringify(age)} is not a duration such as 168h or 30m`, {
      field: 'spec.retention.maxAge',
      value: age,
    });
  }
  const [hours, minutes, seconds] = [match[1], match[2], match[3]].map((part) => Number(part ?? '0'));
  return (((hours ?? 0) * 60 + (minutes ?? 0)) * 60 + (seconds ?? 0)) * 1000;
}

/**
 * The backups to remove: beyond the newest `maxBackups`, or older than `maxAge` at `now`. The newest backup is always
 * kept, however old: retention never leaves a cluster with no backup at all.
 */
export function expiredBackups<T extends RetainedBackup>(
  backups: readonly T[],
  policy: RetentionPolicy,
  now: Date,
): T[] {
  const newestFirst = [...backups].sort((a, b) => Date.parse(b.takenAt) - Date.parse(a.takenAt));
  const maxAgeMs = policy.maxAge === undefined ? undefined : parseRetentionAge(policy.maxAge);
  return newestFirst.filter((backup, index) => {
    if (index === 0) return false;
    if (policy.maxBackups !== undefined && index >= policy.maxBackups) return true;
    return maxAgeMs !== undefined && now.getTime() - Date.parse(backup.takenAt) > maxAgeMs;
  });
}
