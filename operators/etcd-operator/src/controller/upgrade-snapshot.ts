// The pre-upgrade snapshot (rule 9) as the controller sees and asks for it: a one-shot EtcdBackup, owned by the
// EtcdCluster, with the destination of the EtcdBackup that targets the cluster. The backup controller takes it like
// any other; the planner waits for it (../plan/upgrade-snapshot.ts), and the status records it (upgradeRecord).
import type { KubernetesObject } from '@kubernetes/client-node';
import { ETCD_BACKUP, type EtcdBackup, type EtcdCluster, type EtcdClusterUpgrade } from '@strata/api';
import { ownerOf } from '../pods/member-pod.ts';
import type { Action } from '../plan/plan.ts';
import type { UpgradeSnapshotView } from '../plan/observed.ts';

/** Marks the EtcdBackups the operator created for upgrades; they never serve as another upgrade's destination. */
export const UPGRADE_SNAPSHOT_LABEL = 'etcd.strata.dev/upgrade-snapshot-of';

/**
 * One snapshot per spec generation: an upgrade asked again later (after a rollback, say) never counts an older
 * snapshot as its own.
 */
export const upgradeSnapshotName = (cluster: string, generation: number): string =>
  `${cluster}-pre-upgrade-g${generation}`;

/** What the namespace's EtcdBackups say of the snapshot `backup` of `cluster`. */
export function upgradeSnapshotView(
  cluster: string,
  backup: string,
  backups: readonly EtcdBackup[],
): UpgradeSnapshotView {
  const own = backups.find((candidate) => candidate.metadata.name === backup);
  if (own === undefined) {
    // Of several EtcdBackups of the cluster, the first by name: the same one every pass.
    const destination = backups
      .filter(
        (candidate) =>
          candidate.spec.source.clusterRef?.name === cluster &&
          candidate.metadata.labels?.[UPGRADE_SNAPSHOT_LABEL] === undefined,
      )
      .map((candidate) => candidate.metadata.name)
      .sort()[0];
    return destination === undefined
      ? { kind: 'noDestination', backup, cluster }
      : { kind: 'absent', backup, destination };
  }
  const newest = own.status?.backups?.at(-1);
  if (own.status?.lastSuccess !== undefined && newest !== undefined) {
    const { name, location, revision, sha256, takenAt } = newest;
    return { kind: 'taken', backup, snapshot: { name, location, revision, sha256, takenAt } };
  }
  const failed = own.status?.conditions?.find((condition) => condition.type === 'Failed');
  if (failed?.status === 'True') return { kind: 'failed', backup, reason: failed.reason, message: failed.message };
  return { kind: 'pending', backup };
}

/** The one-shot EtcdBackup of the snapshot: the destination's store, this cluster as its source, no schedule. */
export function upgradeSnapshotBackup(cluster: EtcdCluster, name: string, destination: EtcdBackup): KubernetesObject {
  return {
    apiVersion: ETCD_BACKUP.apiVersion,
    kind: ETCD_BACKUP.kind,
    metadata: {
      name,
      namespace: cluster.metadata.namespace ?? '',
      labels: { [UPGRADE_SNAPSHOT_LABEL]: cluster.metadata.name },
      // Owned, so that it goes with the cluster; the snapshot itself stays in the store.
      ownerReferences: [ownerOf(cluster)],
    },
    spec: { source: { clusterRef: { name: cluster.metadata.name } }, destination: destination.spec.destination },
  } as KubernetesObject;
}

/**
 * status.upgrade after a pass: recorded from the snapshot once it is stored (the upgrade begins), marked completed
 * when the cluster is at the recorded version with nothing left to do, else as it was.
 */
export function upgradeRecord(
  view: UpgradeSnapshotView,
  versions: { readonly current: string; readonly target: string },
  action: Action,
  previous: EtcdClusterUpgrade | undefined,
  now: Date,
): EtcdClusterUpgrade | undefined {
  if (view.kind === 'taken') {
    if (previous?.snapshot.name === view.snapshot.name && previous.toVersion === versions.target) return previous;
    return {
      fromVersion: versions.current,
      toVersion: versions.target,
      snapshot: { backup: view.backup, ...view.snapshot },
    };
  }
  if (
    previous !== undefined &&
    previous.completedAt === undefined &&
    action.kind === 'none' &&
    versions.current === previous.toVersion &&
    versions.target === previous.toVersion
  ) {
    return { ...previous, completedAt: now.toISOString() };
  }
  return previous;
}
