// Rule 9's "take a snapshot first": what an upgrade waits for before it touches its first member. Pure, beside the
// planner; the controller observes the snapshot (../controller/upgrade-snapshot.ts) and takes the step.
import type { UpgradeSnapshotView } from './observed.ts';

export interface SnapshotBeforeUpgrade {
  /** Create the one-shot EtcdBackup `backup` with the destination of the EtcdBackup `destination`. */
  readonly kind: 'snapshotBeforeUpgrade';
  readonly backup: string;
  readonly destination: string;
  readonly from: string;
  readonly to: string;
}

export type UpgradeSnapshotGate =
  | SnapshotBeforeUpgrade
  | { readonly kind: 'wait'; readonly reason: string; readonly message: string }
  | { readonly kind: 'halt'; readonly condition: 'Degraded'; readonly reason: string; readonly message: string };

/** What stands between an upgrade `from` → `to` and its first member; undefined once the snapshot is stored. */
export function upgradeSnapshotGate(
  view: UpgradeSnapshotView,
  from: string,
  to: string,
): UpgradeSnapshotGate | undefined {
  const upgrade = `upgrading ${from} → ${to}`;
  switch (view.kind) {
    case 'taken':
      return undefined;
    case 'notObserved':
      return {
        kind: 'wait',
        reason: 'UpgradeSnapshot',
        message: `${upgrade}: the pre-upgrade snapshot is not observed yet`,
      };
    case 'noDestination':
      return {
        kind: 'halt',
        condition: 'Degraded',
        reason: 'UpgradeNeedsBackup',
        message: `${upgrade} waits for a snapshot, and no EtcdBackup of this namespace has spec.source.clusterRef.name: ${view.cluster}; create one, and the snapshot (EtcdBackup ${view.backup}) goes to its destination`,
      };
    case 'absent':
      return { kind: 'snapshotBeforeUpgrade', backup: view.backup, destination: view.destination, from, to };
    case 'pending':
      return {
        kind: 'wait',
        reason: 'UpgradeSnapshot',
        message: `${upgrade}: waiting for the pre-upgrade snapshot (EtcdBackup ${view.backup})`,
      };
    case 'failed':
      return {
        kind: 'halt',
        condition: 'Degraded',
        reason: 'UpgradeSnapshotFailed',
        message: `${upgrade} stopped: the pre-upgrade snapshot (EtcdBackup ${view.backup}) failed, ${view.reason}: ${view.message}; it is retried, and no member is upgraded until it is stored`,
      };
  }
}
