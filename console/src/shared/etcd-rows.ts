// What the etcd pages show of EtcdClusters and EtcdBackups: projections made on the server (src/server/etcd-rows.ts)
// so that the browser receives the fields it shows, and parses them with these schemas.
import { z } from 'zod';

export const conditionRowSchema = z.strictObject({
  type: z.string(),
  status: z.string(),
  reason: z.string(),
  message: z.string(),
  lastTransitionTime: z.string(),
});
export type ConditionRow = z.infer<typeof conditionRowSchema>;

export const etcdMemberRowSchema = z.strictObject({
  name: z.string(),
  id: z.string(),
  leader: z.boolean(),
  learner: z.boolean(),
  healthy: z.boolean(),
  version: z.string().optional(),
  dbSize: z.number().optional(),
  revision: z.number().optional(),
});
export type EtcdMemberRow = z.infer<typeof etcdMemberRowSchema>;

export const etcdClusterRowSchema = z.strictObject({
  namespace: z.string(),
  name: z.string(),
  size: z.number(),
  /** The version asked for in the spec. */
  version: z.string(),
  /** The version the members run, as the operator last saw it. */
  currentVersion: z.string().optional(),
  phase: z.string().optional(),
  readyMembers: z.number().optional(),
  paused: z.boolean(),
  conditions: z.array(conditionRowSchema),
  members: z.array(etcdMemberRowSchema),
});
export type EtcdClusterRow = z.infer<typeof etcdClusterRowSchema>;

export const snapshotRowSchema = z.strictObject({
  name: z.string(),
  takenAt: z.string(),
  revision: z.number(),
  size: z.number(),
  sha256: z.string(),
  location: z.string(),
});
export type SnapshotRow = z.infer<typeof snapshotRowSchema>;

/** Where a backup writes, as the spec says it: kept whole so that "back up now" can write to the same place. */
export const backupDestinationSchema = z.union([
  z.strictObject({ pvc: z.strictObject({ claimName: z.string(), path: z.string().optional() }) }),
  z.strictObject({
    s3: z.strictObject({
      endpoint: z.string(),
      bucket: z.string(),
      prefix: z.string().optional(),
      credentialsSecret: z.string(),
      forcePathStyle: z.boolean().optional(),
      region: z.string().optional(),
    }),
  }),
]);
export type BackupDestination = z.infer<typeof backupDestinationSchema>;

export const etcdBackupRowSchema = z.strictObject({
  namespace: z.string(),
  name: z.string(),
  /** The EtcdCluster backed up, when the source is one (not raw endpoints). */
  cluster: z.string().optional(),
  schedule: z.string().optional(),
  destination: backupDestinationSchema.optional(),
  creationTimestamp: z.string().optional(),
  lastSuccess: z.string().optional(),
  conditions: z.array(conditionRowSchema),
  snapshots: z.array(snapshotRowSchema),
});
export type EtcdBackupRow = z.infer<typeof etcdBackupRowSchema>;

export const eventRowSchema = z.strictObject({
  namespace: z.string(),
  name: z.string(),
  reason: z.string(),
  message: z.string(),
  /** The object the event is about, as Kind/name. */
  object: z.string(),
  count: z.number(),
  /** When it was last seen (RFC 3339), whichever of the event's times is set. */
  lastSeen: z.string(),
});
export type EventRow = z.infer<typeof eventRowSchema>;

/** The key of a namespaced row, as the watch stream's delete events name it. */
export const namespacedKey = (row: { readonly namespace: string; readonly name: string }): string =>
  `${row.namespace}/${row.name}`;
