// Typed fixture builders for the tests of backups and restores: a backup as an EtcdBackup's status records it.
import { backupName } from './retention.ts';
import type { BackupRecord } from './backup-status.ts';

export const T0 = new Date('2026-12-04T10:00:00Z');
export const minutesAfter = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);

/** A stored backup of `cluster` taken `minutes` after T0 at revision 100 + minutes, located by `locate`. */
export function aBackupRecord(
  minutes: number,
  options: { readonly cluster?: string; readonly locate?: (name: string) => string; readonly sha256?: string } = {},
): BackupRecord {
  const takenAt = minutesAfter(minutes);
  const name = backupName(options.cluster ?? 'main', takenAt, 100 + minutes);
  return {
    name,
    takenAt: takenAt.toISOString(),
    revision: 100 + minutes,
    etcdVersion: '3.6.16',
    size: 20_512,
    sha256: options.sha256 ?? 'ab'.repeat(32),
    location: (options.locate ?? ((file) => `s3://backups/main/${file}`))(name),
  };
}
