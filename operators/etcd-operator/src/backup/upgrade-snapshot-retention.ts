// Retention of pre-upgrade snapshots (ADR 0053): each upgrade's one-shot EtcdBackup (ADR 0047) keeps its snapshot,
// so without this they pile up, one per upgrade. When a new one is taken, the cluster's earlier ones with the same
// destination join its retention as if they were its own backups, with `maxBackups` UPGRADE_SNAPSHOTS_KEPT: the
// store removes the older snapshots (in the operator for S3, in the backup pod for a claim), and the controller
// then deletes the EtcdBackups whose every snapshot is gone. Pure, so that every rule has a unit test.
import { isDeepStrictEqual } from 'node:util';
import type { EtcdBackup } from '@strata/api';
import { UPGRADE_SNAPSHOT_LABEL } from '../controller/upgrade-snapshot.ts';
import type { RetainedBackup, RetentionPolicy } from './retention.ts';

/** The pre-upgrade snapshots kept per cluster: the newest and the two before it (a rollback's way back, twice). */
export const UPGRADE_SNAPSHOTS_KEPT = 3;

export interface BackupRetention {
  /** What retention sees besides the new backup: this backup's records and, for an upgrade's, its siblings'. */
  readonly recorded: readonly RetainedBackup[];
  readonly retention: RetentionPolicy | undefined;
  /** The sibling EtcdBackups (by name) whose records are among `recorded`, each with its records' names. */
  readonly siblings: ReadonlyMap<string, readonly string[]>;
}

/** The cluster a pre-upgrade snapshot's EtcdBackup belongs to, or undefined for any other EtcdBackup. */
export const upgradeSnapshotOf = (backup: EtcdBackup): string | undefined =>
  backup.metadata.labels?.[UPGRADE_SNAPSHOT_LABEL];

/** What one run of `backup` applies retention to; `namespaceBackups` are the EtcdBackups of its namespace. */
export function backupRetention(backup: EtcdBackup, namespaceBackups: readonly EtcdBackup[]): BackupRetention {
  const own = (backup.status?.backups ?? []).map(({ name, takenAt }) => ({ name, takenAt }));
  const cluster = upgradeSnapshotOf(backup);
  if (cluster === undefined) return { recorded: own, retention: backup.spec.retention, siblings: new Map() };
  const siblings = new Map<string, string[]>();
  const recorded = [...own];
  for (const sibling of namespaceBackups) {
    if (sibling.metadata.name === backup.metadata.name || upgradeSnapshotOf(sibling) !== cluster) continue;
    // Only snapshots in the same store: another destination's are not this store's to remove.
    if (!isDeepStrictEqual(sibling.spec.destination, backup.spec.destination)) continue;
    if (sibling.metadata.deletionTimestamp !== undefined) continue;
    const records = sibling.status?.backups ?? [];
    siblings.set(
      sibling.metadata.name,
      records.map((record) => record.name),
    );
    recorded.push(...records.map(({ name, takenAt }) => ({ name, takenAt })));
  }
  return { recorded, retention: { maxBackups: UPGRADE_SNAPSHOTS_KEPT }, siblings };
}

/** The sibling EtcdBackups to delete after a run removed `removed`: those with snapshots, all of them removed. */
export function siblingsToDelete(retention: BackupRetention, removed: readonly string[]): string[] {
  return [...retention.siblings]
    .filter(([, records]) => records.length > 0 && records.every((name) => removed.includes(name)))
    .map(([name]) => name)
    .sort();
}
