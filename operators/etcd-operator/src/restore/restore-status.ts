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
 * The snapshot is verified and the new EtcdCluster exists, marked with it and paused. Restored stays False: nothing
 * seeds the members from the snapshot yet, and a cluster started empty must not pass for a restored one.
 */
export function recordStaged(
  previous: EtcdRestoreStatus | undefined,
  staged: StagedSnapshot,
  now: Date,
): EtcdRestoreStatus {
  const message =
    `verified ${staged.source} (revision ${staged.revision}, sha256 ${staged.sha256}) and created EtcdCluster ` +
    `${staged.cluster} paused, marked with it; seeding its members from the snapshot is not implemented yet`;
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
