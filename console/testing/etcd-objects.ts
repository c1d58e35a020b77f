// Typed builders of EtcdClusters, EtcdBackups and their status as the etcd operator writes it, for the console's unit
// tests and browser tests alike (etcd-fixtures.ts writes them through the API).
import { createHash } from 'node:crypto';
import {
  ETCD_BACKUP,
  ETCD_CLUSTER,
  type etcdBackupStatusSchema,
  type etcdClusterStatusSchema,
  type EtcdClusterSpecInput,
  type EtcdMemberStatus,
} from '@strata/api';
import type { z } from 'zod';

export type EtcdClusterStatusInput = z.input<typeof etcdClusterStatusSchema>;
export type EtcdBackupStatusInput = z.input<typeof etcdBackupStatusSchema>;
export type EtcdConditionInput = NonNullable<EtcdClusterStatusInput['conditions']>[number];

export const FIXTURE_ETCD_VERSION = '3.6.16';
const FIXED_TIME = '2026-12-05T06:00:00Z';

export interface EtcdClusterFixture {
  readonly namespace: string;
  readonly name: string;
  readonly spec?: Partial<EtcdClusterSpecInput>;
}

export function etcdClusterObject(fixture: EtcdClusterFixture) {
  return {
    apiVersion: ETCD_CLUSTER.apiVersion,
    kind: ETCD_CLUSTER.kind,
    metadata: { namespace: fixture.namespace, name: fixture.name },
    spec: {
      size: 3,
      version: FIXTURE_ETCD_VERSION,
      storage: { emptyDir: {} },
      ...fixture.spec,
    } satisfies EtcdClusterSpecInput,
  };
}

/** A member as the operator reports it: healthy, a follower, at revision 100, unless told otherwise. */
export function etcdMember(name: string, overrides: Partial<EtcdMemberStatus> = {}): EtcdMemberStatus {
  return {
    name,
    id: Buffer.from(name).toString('hex').slice(0, 16).padEnd(16, '0'),
    leader: false,
    learner: false,
    healthy: true,
    version: FIXTURE_ETCD_VERSION,
    dbSize: 24_576,
    revision: 100,
    ...overrides,
  };
}

/** A status condition as the operator writes it, of an EtcdCluster's or an EtcdBackup's types. */
export function etcdCondition<const T extends string>(
  type: T,
  status: EtcdConditionInput['status'],
  reason: string,
  message = '',
) {
  return { type, status, reason, message, lastTransitionTime: FIXED_TIME };
}

/** The status of a cluster of `members` that is Running and Available, the first member leading. */
export function runningStatus(members: readonly string[]): EtcdClusterStatusInput {
  return {
    phase: 'Running',
    clusterID: 'c0ffee0000000001',
    currentVersion: FIXTURE_ETCD_VERSION,
    readyMembers: members.length,
    members: members.map((name, index) => etcdMember(name, { leader: index === 0 })),
    conditions: [
      etcdCondition('Available', 'True', 'QuorumHealthy', `${members.length} of ${members.length} members healthy`),
      etcdCondition('Degraded', 'False', 'AllMembersHealthy'),
    ],
  };
}

export interface EtcdBackupFixture {
  readonly namespace: string;
  readonly name: string;
  readonly cluster: string;
  readonly claimName: string;
  readonly schedule?: string;
}

export function etcdBackupObject(fixture: EtcdBackupFixture) {
  return {
    apiVersion: ETCD_BACKUP.apiVersion,
    kind: ETCD_BACKUP.kind,
    metadata: { namespace: fixture.namespace, name: fixture.name },
    spec: {
      source: { clusterRef: { name: fixture.cluster } },
      destination: { pvc: { claimName: fixture.claimName } },
      ...(fixture.schedule === undefined ? {} : { schedule: fixture.schedule }),
    },
  };
}

/** A snapshot record as the backup controller writes it; the digest is of the name, so each one differs. */
export function snapshotRecord(name: string, revision: number, size: number) {
  return {
    name,
    takenAt: FIXED_TIME,
    revision,
    etcdVersion: FIXTURE_ETCD_VERSION,
    size,
    sha256: createHash('sha256').update(name).digest('hex'),
    location: `/backups/${name}`,
  };
}
