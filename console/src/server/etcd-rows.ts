// EtcdClusters, EtcdBackups and warning Events as the console's rows. The objects come straight from the API
// server's watch; they are parsed with @strata/api's schemas, the one definition the operator writes them by, and
// an object that does not parse is still shown, with what could be read, rather than dropped from the page.
import type { CoreV1Event, KubernetesObject } from '@kubernetes/client-node';
import { etcdBackupSchema, etcdClusterSchema } from '@strata/api';
import { z } from 'zod';
import type { ConditionRow, EtcdBackupRow, EtcdClusterRow, EventRow } from '../shared/etcd-rows.ts';

const metadataOf = (object: KubernetesObject) => ({
  namespace: object.metadata?.namespace ?? '',
  name: object.metadata?.name ?? '',
});

const looseConditionsSchema = z.array(
  z.looseObject({
    type: z.string(),
    status: z.string(),
    reason: z.string().optional(),
    message: z.string().optional(),
    lastTransitionTime: z.string().optional(),
  }),
);

function conditionRows(value: unknown): ConditionRow[] {
  const parsed = looseConditionsSchema.safeParse(value);
  if (!parsed.success) return [];
  return parsed.data.map((condition) => ({
    type: condition.type,
    status: condition.status,
    reason: condition.reason ?? '',
    message: condition.message ?? '',
    lastTransitionTime: condition.lastTransitionTime ?? '',
  }));
}

/** The fields read when the whole object does not parse (an operator of another version, a hand edit). */
const looseClusterSchema = z.looseObject({
  spec: z.looseObject({ size: z.number().optional(), version: z.string().optional() }).optional(),
  status: z.looseObject({ phase: z.string().optional(), conditions: z.unknown() }).optional(),
});

export function etcdClusterRow(object: KubernetesObject): EtcdClusterRow {
  const parsed = etcdClusterSchema.safeParse(object);
  if (!parsed.success) {
    const loose = looseClusterSchema.safeParse(object);
    const spec = loose.success ? loose.data.spec : undefined;
    const status = loose.success ? loose.data.status : undefined;
    return {
      ...metadataOf(object),
      size: spec?.size ?? 0,
      version: spec?.version ?? '',
      phase: status?.phase ?? 'Unreadable',
      paused: false,
      conditions: conditionRows(status?.conditions),
      members: [],
    };
  }
  const { spec, status } = parsed.data;
  return {
    ...metadataOf(object),
    size: spec.size,
    version: spec.version,
    ...(status?.currentVersion === undefined ? {} : { currentVersion: status.currentVersion }),
    ...(status?.phase === undefined ? {} : { phase: status.phase }),
    ...(status?.readyMembers === undefined ? {} : { readyMembers: status.readyMembers }),
    paused: spec.paused,
    conditions: conditionRows(status?.conditions),
    members: (status?.members ?? []).map((member) => ({
      name: member.name,
      id: member.id,
      leader: member.leader,
      learner: member.learner,
      healthy: member.healthy,
      ...(member.version === undefined ? {} : { version: member.version }),
      ...(member.dbSize === undefined ? {} : { dbSize: member.dbSize }),
      ...(member.revision === undefined ? {} : { revision: member.revision }),
    })),
  };
}

export function etcdBackupRow(object: KubernetesObject): EtcdBackupRow {
  const parsed = etcdBackupSchema.safeParse(object);
  const creationTimestamp = object.metadata?.creationTimestamp;
  const created =
    creationTimestamp === undefined ? {} : { creationTimestamp: new Date(creationTimestamp).toISOString() };
  if (!parsed.success) return { ...metadataOf(object), ...created, conditions: [], snapshots: [] };
  const { spec, status } = parsed.data;
  const destination = spec.destination.pvc
    ? { pvc: spec.destination.pvc }
    : spec.destination.s3
      ? { s3: spec.destination.s3 }
      : undefined;
  return {
    ...metadataOf(object),
    ...(spec.source.clusterRef === undefined ? {} : { cluster: spec.source.clusterRef.name }),
    ...(spec.schedule === undefined ? {} : { schedule: spec.schedule }),
    ...(destination === undefined ? {} : { destination }),
    ...created,
    ...(status?.lastSuccess === undefined ? {} : { lastSuccess: status.lastSuccess }),
    conditions: conditionRows(status?.conditions),
    snapshots: (status?.backups ?? []).map((backup) => ({
      name: backup.name,
      takenAt: backup.takenAt,
      revision: backup.revision,
      size: backup.size,
      sha256: backup.sha256,
      location: backup.location,
    })),
  };
}

const asIso = (time: Date | string | undefined): string | undefined =>
  time === undefined ? undefined : new Date(time).toISOString();

export function eventRow(event: CoreV1Event): EventRow {
  const involved = event.involvedObject;
  return {
    ...metadataOf(event),
    reason: event.reason ?? '',
    message: event.message ?? '',
    object: `${involved.kind ?? ''}/${involved.name ?? ''}`,
    count: event.series?.count ?? event.count ?? 1,
    lastSeen:
      asIso(event.series?.lastObservedTime) ??
      asIso(event.lastTimestamp) ??
      asIso(event.eventTime) ??
      asIso(event.metadata.creationTimestamp) ??
      '',
  };
}
