// What the etcd pages may ask the console to do, validated with zod in the browser before anything is sent and again
// by the route handler: @strata/api's own schemas, so the form refuses what the CRD would, in the same words. The
// API server still decides (RBAC, a name taken, its own CEL rules) and its answer is shown.
import { dnsLabelSchema, etcdBackupSpecSchema, etcdClusterSpecSchema } from '@strata/api';
import { z } from 'zod';

export const createEtcdClusterSchema = z.strictObject({
  namespace: dnsLabelSchema,
  name: dnsLabelSchema,
  spec: etcdClusterSpecSchema,
});
export type CreateEtcdCluster = z.input<typeof createEtcdClusterSchema>;

export const scaleEtcdClusterSchema = z.strictObject({ size: etcdClusterSpecSchema.shape.size });

/** A one-shot backup of the cluster to this destination (no schedule: the operator takes it once). */
export const backupNowSchema = z.strictObject({ destination: etcdBackupSpecSchema.shape.destination });

/** Restore one of the cluster's recorded snapshots into a NEW EtcdCluster (a restore never writes into a live one). */
export const restoreSchema = z.strictObject({
  backup: dnsLabelSchema,
  snapshot: z.string().min(1).max(512),
  cluster: dnsLabelSchema,
});

/** The path of a route for one cluster; namespace and name are DNS labels, so they need no escaping. */
export const etcdClusterPath = (namespace: string, name: string): string => `/api/etcd/clusters/${namespace}/${name}`;

/** The issues of a failed parse, one line each, with the field they are about. */
export function issueLines(error: z.ZodError): string[] {
  return error.issues.map((issue) =>
    issue.path.length === 0 ? issue.message : `${issue.path.join('.')}: ${issue.message}`,
  );
}
