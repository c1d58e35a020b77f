// The EtcdBackup and EtcdRestore custom resources; their controllers are in @strata/etcd-operator.
import { z } from 'zod';
import { kubernetes } from '../crd/schema-rules.ts';
import {
  conditionsSchema,
  cronScheduleSchema,
  dnsLabelSchema,
  ETCD_API_VERSION,
  ETCD_GROUP,
  ETCD_CRD_VERSION,
  exactlyOne,
  objectMetadataSchema,
  parseEtcdResource,
  RETENTION_AGE_PATTERN,
} from './common.ts';
import { etcdClusterSpecSchema } from './etcd-cluster.ts';

export const ETCD_BACKUP = {
  group: ETCD_GROUP,
  version: ETCD_CRD_VERSION,
  apiVersion: ETCD_API_VERSION,
  kind: 'EtcdBackup',
  listKind: 'EtcdBackupList',
  plural: 'etcdbackups',
  singular: 'etcdbackup',
} as const;

export const ETCD_RESTORE = {
  group: ETCD_GROUP,
  version: ETCD_CRD_VERSION,
  apiVersion: ETCD_API_VERSION,
  kind: 'EtcdRestore',
  listKind: 'EtcdRestoreList',
  plural: 'etcdrestores',
  singular: 'etcdrestore',
} as const;

export const ETCD_BACKUP_CONDITIONS = ['Ready', 'Failed'] as const;
export const ETCD_RESTORE_CONDITIONS = ['Restored', 'Failed'] as const;

const endpointsSourceSchema = z.strictObject({
  urls: z
    .array(z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).max(2048))
    .min(1)
    .max(16)
    .describe("Client URLs of the etcd to back up (e.g. the control plane's own)."),
  clientTLSSecret: dnsLabelSchema.optional().describe('Secret with ca.crt, tls.crt and tls.key for those URLs.'),
});

const sourceSchema = kubernetes(
  z.strictObject({
    clusterRef: z.strictObject({ name: dnsLabelSchema }).optional().describe('An EtcdCluster of this namespace.'),
    endpoints: endpointsSourceSchema.optional(),
  }),
  { rules: [exactlyOne('clusterRef', 'endpoints')] },
);

const s3DestinationSchema = z.strictObject({
  endpoint: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).max(2048),
  bucket: z.string().min(3).max(63),
  prefix: z.string().max(512).optional(),
  credentialsSecret: dnsLabelSchema.describe('Secret with accessKeyID and secretAccessKey.'),
  forcePathStyle: z
    .boolean()
    .default(true)
    .describe('Path-style addressing, as MinIO and most S3-compatible servers need.'),
  region: z.string().max(64).optional(),
});

const destinationSchema = kubernetes(
  z.strictObject({
    pvc: z.strictObject({ claimName: dnsLabelSchema, path: z.string().max(1024).optional() }).optional(),
    s3: s3DestinationSchema.optional(),
  }),
  { rules: [exactlyOne('pvc', 's3')] },
);

export const etcdBackupSpecSchema = z.strictObject({
  source: sourceSchema,
  destination: destinationSchema,
  schedule: cronScheduleSchema.optional().describe('Take a backup on this cron schedule; once when absent.'),
  retention: z
    .strictObject({
      maxBackups: z.int().min(1).max(1000).optional(),
      maxAge: z
        .string()
        .max(32)
        .regex(new RegExp(RETENTION_AGE_PATTERN), 'must be a duration such as 168h or 30m')
        .optional(),
    })
    .optional(),
});

const snapshotRecordSchema = z.strictObject({
  name: z.string(),
  takenAt: z.iso.datetime({ offset: true }),
  revision: z.int().min(0),
  etcdVersion: z.string(),
  size: z.int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  location: z.string(),
});

export const etcdBackupStatusSchema = z.strictObject({
  lastSuccess: z.iso.datetime({ offset: true }).optional(),
  backups: z.array(snapshotRecordSchema).max(1000).optional(),
  history: z
    .array(
      z.strictObject({
        time: z.iso.datetime({ offset: true }),
        outcome: z.enum(['Succeeded', 'Failed']),
        message: z.string().max(4096),
      }),
    )
    .max(50)
    .optional(),
  conditions: conditionsSchema(ETCD_BACKUP_CONDITIONS).optional(),
});

export const etcdBackupSchema = z.strictObject({
  apiVersion: z.literal(ETCD_BACKUP.apiVersion),
  kind: z.literal(ETCD_BACKUP.kind),
  metadata: objectMetadataSchema,
  spec: etcdBackupSpecSchema,
  status: etcdBackupStatusSchema.optional(),
});

const restoreSourceSchema = kubernetes(
  z.strictObject({
    backup: z
      .strictObject({
        name: dnsLabelSchema,
        snapshot: z.string().max(512).optional().describe('One of its backups by name; the newest when absent.'),
      })
      .optional(),
    s3: z
      .strictObject({
        url: z
          .string()
          .max(2048)
          .regex(/^s3:\/\/[a-z0-9.-]{3,63}\/.+$/, 'must be an s3://bucket/key URL')
          .describe('The snapshot object, as an EtcdBackup records its location.'),
        endpoint: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).max(2048),
        credentialsSecret: dnsLabelSchema.describe('Secret with accessKeyID and secretAccessKey.'),
        forcePathStyle: z.boolean().default(true),
        region: z.string().max(64).optional(),
        sha256: z
          .string()
          .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits')
          .optional()
          .describe("The snapshot's expected sha256; the one stored with the object when absent."),
      })
      .optional()
      .describe('A snapshot object in S3-compatible storage.'),
  }),
  { rules: [exactlyOne('backup', 's3')] },
);

export const etcdRestoreSpecSchema = z
  .strictObject({
    source: restoreSourceSchema,
    cluster: z
      .strictObject({ name: dnsLabelSchema, spec: etcdClusterSpecSchema })
      .describe('The NEW EtcdCluster the snapshot is restored into: a restore never writes into a live cluster.'),
  })
  .describe('Restores a snapshot into a new EtcdCluster.');

export const etcdRestoreStatusSchema = z.strictObject({
  phase: z.enum(['Pending', 'Restoring', 'Restored', 'Failed']).optional(),
  restoredRevision: z.int().min(0).optional(),
  source: z.string().max(2048).optional().describe('Where the snapshot came from: a path or an s3:// URL.'),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional()
    .describe("The verified snapshot's sha256."),
  clusterID: z
    .string()
    .max(32)
    .optional()
    .describe("The restored cluster's ID, hexadecimal: a new one, never the ID of the cluster the snapshot came from."),
  conditions: conditionsSchema(ETCD_RESTORE_CONDITIONS).optional(),
});

export const etcdRestoreSchema = z.strictObject({
  apiVersion: z.literal(ETCD_RESTORE.apiVersion),
  kind: z.literal(ETCD_RESTORE.kind),
  metadata: objectMetadataSchema,
  spec: etcdRestoreSpecSchema,
  status: etcdRestoreStatusSchema.optional(),
});

export type EtcdBackup = z.output<typeof etcdBackupSchema>;
export type EtcdRestore = z.output<typeof etcdRestoreSchema>;

export function parseEtcdBackup(value: unknown): EtcdBackup {
  return parseEtcdResource(ETCD_BACKUP.kind, etcdBackupSchema, value);
}

export function parseEtcdRestore(value: unknown): EtcdRestore {
  return parseEtcdResource(ETCD_RESTORE.kind, etcdRestoreSchema, value);
}
