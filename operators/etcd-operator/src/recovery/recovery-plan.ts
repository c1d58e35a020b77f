// A recovery from a backup after a quorum loss (safety rule 8, `recovery: fromLatestBackup`), as recorded on the
// EtcdCluster: which backup, which revision, what is lost, and which pods and claims of the lost cluster go. Pure,
// so that the choice of backup and the bookkeeping are unit-tested; ./quorum-recovery.ts carries it out.
import type { EtcdBackup, EtcdCluster } from '@strata/api';
import { z } from 'zod';
import type { BackupRecord } from '../restore/restore-source.ts';

/** On an EtcdCluster under recovery: the JSON of its RecoveryPlan. Written only after the backup was verified. */
export const RECOVERY_ANNOTATION = 'etcd.strata.dev/recovery';

export const recoveryPlanSchema = z.strictObject({
  token: z.string().min(1).max(128),
  backup: z.string().min(1),
  snapshot: z.string().min(1),
  restoredRevision: z.int().min(0),
  revisionLost: z.int().min(0),
  previousClusterID: z.string().optional(),
  startedAt: z.iso.datetime({ offset: true }),
  /** The lost cluster's pods and claims: all of them go before the restored cluster is bootstrapped. */
  pods: z.array(z.string()),
  claims: z.array(z.string()),
});

export type RecoveryPlan = z.infer<typeof recoveryPlanSchema>;

/**
 * The recovery under way on `cluster`: one recorded in its annotation that its status does not record as done yet.
 * An annotation that cannot be read is no recovery (and nothing destructive follows from it).
 */
export function recoveryUnderway(cluster: EtcdCluster): RecoveryPlan | undefined {
  const text = cluster.metadata.annotations?.[RECOVERY_ANNOTATION];
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = recoveryPlanSchema.safeParse(json);
  if (!parsed.success) return undefined;
  return cluster.status?.lastRecovery?.token === parsed.data.token ? undefined : parsed.data;
}

export interface RecoveryCandidate {
  readonly backup: EtcdBackup;
  readonly record: BackupRecord;
}

/**
 * The backups of `cluster` a recovery may restore, newest first: every recorded backup (a store confirmed each
 * whole) of the EtcdBackups in its namespace whose `source.clusterRef` names it.
 */
export function recoveryCandidates(backups: readonly EtcdBackup[], cluster: EtcdCluster): RecoveryCandidate[] {
  return backups
    .filter(
      (backup) =>
        backup.metadata.namespace === cluster.metadata.namespace &&
        backup.spec.source.clusterRef?.name === cluster.metadata.name,
    )
    .flatMap((backup) => (backup.status?.backups ?? []).map((record) => ({ backup, record })))
    .sort((a, b) => Date.parse(b.record.takenAt) - Date.parse(a.record.takenAt));
}

/** What a recovery restoring `record` loses: the last revision the operator observed minus the restored one. */
export const revisionLost = (observedRevision: number | undefined, restoredRevision: number): number =>
  Math.max(0, (observedRevision ?? restoredRevision) - restoredRevision);
