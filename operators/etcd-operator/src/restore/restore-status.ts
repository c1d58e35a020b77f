// An EtcdRestore's status after a pass: pure, so that what each outcome records is unit-tested.
import type { EtcdRestore } from '@strata/api';
import { nextCondition } from '../conditions.ts';

export type EtcdRestoreStatus = NonNullable<EtcdRestore['status']>;

export interface StagedSnapshot {
  /** Where the snapshot came from: a path or an s3:// URL. */
  readonly source: string;
  readonly sha256: string;
  readonly revision: number;
  /** The EtcdCluster created for it. */
  readonly cluster: string;
}

/**
 * The snapshot is verified and the new EtcdCluster exists, marked with it and paused: its founding member is seeded
 * from the snapshot once the restore unpauses it (recordSeeding), and Restored waits for the seeded cluster.
 */
export function recordStaged(
  previous: EtcdRestoreStatus | undefined,
  staged: StagedSnapshot,
  now: Date,
): EtcdRestoreStatus {
  const message =
    `verified ${staged.source} (revision ${staged.revision}, sha256 ${staged.sha256}) and created EtcdCluster ` +
    `${staged.cluster} paused, marked with it; its founding member is seeded from it next`;
  return {
    ...previous,
    phase: 'Restoring',
    source: staged.source,
    sha256: staged.sha256,
    restoredRevision: staged.revision,
    conditions: [
      nextCondition(previous?.conditions, 'Restored', { status: 'False', reason: 'AwaitingSeed', message }, now),
      nextCondition(previous?.conditions, 'Failed', { status: 'False', reason: 'SnapshotVerified', message }, now),
    ],
  };
}

/**
 * A failed pass. `final` failures (a corrupt snapshot, a cluster that already exists, a source that does not resolve)
 * end the restore in phase Failed; others (a store that does not answer) leave it Pending, to be tried again.
 */
export function recordFailure(
  previous: EtcdRestoreStatus | undefined,
  failure: { readonly reason: string; readonly message: string; readonly final: boolean; readonly source?: string },
  now: Date,
): EtcdRestoreStatus {
  return {
    ...previous,
    phase: failure.final ? 'Failed' : 'Pending',
    ...(failure.source === undefined ? {} : { source: failure.source }),
    conditions: [
      nextCondition(
        previous?.conditions,
        'Restored',
        { status: 'False', reason: failure.reason, message: 'the restore has not succeeded' },
        now,
      ),
      nextCondition(
        previous?.conditions,
        'Failed',
        { status: 'True', reason: failure.reason, message: failure.message },
        now,
      ),
    ],
  };
}

/** The restore unpaused its cluster: the founding member is being seeded, and the cluster grows to its size. */
export function recordSeeding(previous: EtcdRestoreStatus | undefined, cluster: string, now: Date): EtcdRestoreStatus {
  const message =
    `unpaused EtcdCluster ${cluster}: its founding member is seeded from the verified snapshot under a new cluster ` +
    'ID, then the cluster grows to its size';
  return {
    ...previous,
    phase: 'Restoring',
    conditions: [
      nextCondition(previous?.conditions, 'Restored', { status: 'False', reason: 'Seeding', message }, now),
      nextCondition(previous?.conditions, 'Failed', { status: 'False', reason: 'Seeding', message }, now),
    ],
  };
}

/** Whether the Restored condition says the restore unpaused its cluster already (so it never does again). */
export const seedingStarted = (status: EtcdRestoreStatus | undefined): boolean =>
  status?.conditions?.some((condition) => condition.type === 'Restored' && condition.reason === 'Seeding') === true;

/** What the restored cluster's status must show before the restore counts as done. */
export interface RestoredClusterView {
  readonly name: string;
  readonly phase: string | undefined;
  readonly available: boolean;
  readonly clusterID: string | undefined;
  readonly size: number;
  readonly members: readonly { readonly name: string; readonly revision?: number | undefined }[];
}

/**
 * Why the cluster does not count as restored yet, or undefined when it does: Available and Running at its size, with
 * a cluster ID, and every member at the snapshot's revision or past it (a member behind it holds less than was
 * restored).
 */
export function notRestoredYet(cluster: RestoredClusterView, revision: number): string | undefined {
  if (!cluster.available || cluster.phase !== 'Running' || cluster.clusterID === undefined) {
    return `EtcdCluster ${cluster.name} is ${cluster.phase ?? 'not yet observed'}${cluster.available ? '' : ', not Available'}`;
  }
  if (cluster.members.length < cluster.size) {
    return `EtcdCluster ${cluster.name} has ${cluster.members.length} of ${cluster.size} members`;
  }
  const behind = cluster.members.find((member) => (member.revision ?? -1) < revision);
  if (behind !== undefined) {
    return `member ${behind.name} is at revision ${behind.revision ?? 'unknown'}, before the restored ${revision}`;
  }
  return undefined;
}

/** The seeded cluster is Available at its size with every member at the snapshot's revision: the restore is done. */
export function recordRestored(
  previous: EtcdRestoreStatus | undefined,
  cluster: { readonly name: string; readonly clusterID: string; readonly members: number },
  now: Date,
): EtcdRestoreStatus {
  const message =
    `EtcdCluster ${cluster.name} is Available with ${cluster.members} members under the new cluster ID ` +
    `${cluster.clusterID}, every member at revision ${previous?.restoredRevision ?? '?'} or later`;
  return {
    ...previous,
    phase: 'Restored',
    clusterID: cluster.clusterID,
    conditions: [
      nextCondition(previous?.conditions, 'Restored', { status: 'True', reason: 'ClusterAvailable', message }, now),
      nextCondition(previous?.conditions, 'Failed', { status: 'False', reason: 'ClusterAvailable', message }, now),
    ],
  };
}
