// Typed fixture builders for the tests of backups and restores: a backup as an EtcdBackup's status records it.
import { ETCD_BACKUP, parseEtcdBackup, type EtcdBackup } from '@strata/api';
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

/** An EtcdBackup `name` of namespace `ns` (clusterRef `main`, to claim `backups`), its spec and status overridden. */
export function anEtcdBackup(
  overrides: {
    readonly name?: string;
    readonly spec?: Partial<EtcdBackup['spec']>;
    readonly records?: BackupRecord[];
  } = {},
): EtcdBackup {
  return parseEtcdBackup({
    apiVersion: ETCD_BACKUP.apiVersion,
    kind: ETCD_BACKUP.kind,
    metadata: { name: overrides.name ?? 'nightly', namespace: 'ns', uid: '0b5e7a3c-2d1f-4e6a-9c8b-7f1e2d3c4b5a' },
    spec: {
      source: { clusterRef: { name: 'main' } },
      destination: { pvc: { claimName: 'backups', path: 'etcd/main' } },
      ...overrides.spec,
    },
    ...(overrides.records === undefined ? {} : { status: { backups: overrides.records } }),
  });
}
