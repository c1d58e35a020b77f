// Carries out a recovery from a backup after a quorum loss (safety rule 8, `recovery: fromLatestBackup`). Nothing is
// destroyed before a backup verified: the newest recorded backup of the cluster is fetched and checked (sha256,
// etcd's trailer, revision); a corrupt one is passed over for the next newest. Then, each step an Event:
//   1. the plan is recorded on the EtcdCluster (annotations: the recovery, and the seed source its founding member
//      is seeded from, under a new initial cluster token: a new cluster ID);
//   2. every pod and claim of the lost cluster is deleted (a seed never runs into a live cluster);
//   3. the planner, told of no formed cluster while the recovery is under way, bootstraps a seeded founding member,
//      and grows it to its size through its learners;
//   4. once the new cluster answers under a new ID with a leader, the status records the recovery as done.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  PatchStrategy,
  setHeaderOptions,
  type CoreV1Api,
  type CustomObjectsApi,
  type KubeConfig,
  type V1PersistentVolumeClaim,
  type V1Pod,
} from '@kubernetes/client-node';
import {
  ETCD_BACKUP,
  ETCD_CLUSTER,
  parseEtcdBackup,
  StrataError,
  type EtcdBackup,
  type EtcdCluster,
} from '@strata/api';
import { isNotFound, kubernetesApiError } from '@strata/kube';
import { openBackupStore } from '../backup/open-store.ts';
import { CorruptSnapshotError, type VerifiedSnapshot } from '../backup/snapshot-file.ts';
import type { BackupRecord } from '../restore/restore-source.ts';
import { fetchVerified } from '../restore/fetch-verified.ts';
import { verifyOnClaim } from '../restore/verify-pod.ts';
import { SEED_ANNOTATION, seedStoreOfBackup, type SeedSource } from '../restore/seed-source.ts';
import { RECOVERY_ANNOTATION, recoveryCandidates, revisionLost, type RecoveryPlan } from './recovery-plan.ts';

/** No backup of the cluster verified: the quorum loss stays reported, and nothing is destroyed. */
export class NoRecoveryBackupError extends StrataError {}

export type RecoveryEvent = (type: 'Normal' | 'Warning', reason: string, note: string) => Promise<void>;

export interface QuorumRecoveryOptions {
  readonly core: CoreV1Api;
  readonly customObjects: CustomObjectsApi;
  /** Where `destination.pvc` claims of EtcdBackups are mounted into the operator: used only without `operatorImage`. */
  readonly pvcRoot: string;
  /** With the operator's image, a backup on a claim is verified in a pod that mounts the claim (ADR 0053). */
  readonly claimVerification?: {
    readonly kubeConfig: KubeConfig;
    readonly operatorImage: string;
    readonly timeoutMs?: number;
  };
  /** A private directory: candidate snapshots are verified in its `recoveries/`, then removed. */
  readonly scratchDirectory: string;
}

export class QuorumRecovery {
  readonly #options: QuorumRecoveryOptions;

  constructor(options: QuorumRecoveryOptions) {
    this.#options = options;
  }

  /**
   * Finds and verifies the newest good backup, then records the plan on the cluster. Throws NoRecoveryBackupError
   * when none verifies; a store that does not answer throws its own error (the pass is retried).
   */
  async start(
    cluster: EtcdCluster,
    lost: { readonly pods: readonly string[]; readonly claims: readonly string[] },
    event: RecoveryEvent,
  ): Promise<RecoveryPlan> {
    const namespace = cluster.metadata.namespace ?? '';
    let listed: unknown;
    try {
      listed = await this.#options.customObjects.listNamespacedCustomObject({
        group: ETCD_BACKUP.group,
        version: ETCD_BACKUP.version,
        plural: ETCD_BACKUP.plural,
        namespace,
      });
    } catch (error) {
      throw kubernetesApiError({ verb: 'list', resource: ETCD_BACKUP.plural, namespace }, error);
    }
    const items = (listed as { items?: unknown[] }).items ?? [];
    const candidates = recoveryCandidates(items.map(parseEtcdBackup), cluster);
    const token = randomBytes(4).toString('hex');
    const staged = join(this.#options.scratchDirectory, 'recoveries', `${cluster.metadata.uid ?? ''}-${token}.db`);
    const rejected: string[] = [];
    for (const candidate of candidates) {
      const { record } = candidate;
      const seedStore = seedStoreOfBackup(candidate.backup);
      try {
        const verified = await this.#verify(cluster, candidate.backup, record, staged);
        const plan: RecoveryPlan = {
          token,
          backup: candidate.backup.metadata.name,
          snapshot: record.location,
          restoredRevision: verified.revision,
          revisionLost: revisionLost(cluster.status?.observedRevision, verified.revision),
          ...(cluster.status?.clusterID === undefined ? {} : { previousClusterID: cluster.status.clusterID }),
          startedAt: new Date().toISOString(),
          pods: [...lost.pods],
          claims: [...lost.claims],
        };
        await this.#record(cluster, plan, {
          token: `${cluster.metadata.uid ?? ''}-${token}`,
          name: record.name,
          sha256: verified.sha256,
          revision: verified.revision,
          store: seedStore,
        });
        // After the plan is recorded: a pass that lost the race to record it (a stale read) says nothing.
        await event(
          'Normal',
          'RecoveryBackupVerified',
          `verified backup ${record.location} of EtcdBackup ${plan.backup} (revision ${verified.revision}, sha256 ${verified.sha256}); restoring it loses ${plan.revisionLost} revisions (last observed ${cluster.status?.observedRevision ?? 'unknown'})`,
        );
        await event(
          'Warning',
          'RecoveryStarted',
          `quorum lost (recovery: fromLatestBackup): the ${lost.pods.length} pods and ${lost.claims.length} claims of cluster ${plan.previousClusterID ?? '(unknown)'} are deleted, and a new cluster is seeded from revision ${plan.restoredRevision}`,
        );
        return plan;
      } catch (error) {
        if (!(error instanceof CorruptSnapshotError)) throw error;
        rejected.push(`${record.location}: ${error.message}`);
        await event('Warning', 'RecoveryBackupRejected', `passed over a corrupt backup: ${error.message}`);
      } finally {
        // Verification was its only use: the member's seeding step reads the store itself.
        await rm(staged, { force: true });
      }
    }
    throw new NoRecoveryBackupError(
      candidates.length === 0
        ? `no EtcdBackup of namespace ${namespace} with clusterRef ${cluster.metadata.name} records a backup: nothing to recover from`
        : `no backup of ${cluster.metadata.name} verified: ${rejected.join('; ')}`,
      { namespace, cluster: cluster.metadata.name },
    );
  }

  /**
   * Verifies one candidate: in a verifying pod owned by the cluster when it is on a claim and the operator's image is
   * known (the operator mounts no claim), fetched into `staged` otherwise.
   */
  async #verify(
    cluster: EtcdCluster,
    backup: EtcdBackup,
    record: BackupRecord,
    staged: string,
  ): Promise<VerifiedSnapshot> {
    const seedStore = seedStoreOfBackup(backup);
    const expected = { name: record.name, location: record.location, revision: record.revision };
    const onClaim = this.#options.claimVerification;
    if (seedStore.kind === 'pvc' && onClaim !== undefined) {
      return verifyOnClaim({
        kubeConfig: onClaim.kubeConfig,
        operatorImage: onClaim.operatorImage,
        owner: {
          apiVersion: ETCD_CLUSTER.apiVersion,
          kind: ETCD_CLUSTER.kind,
          name: cluster.metadata.name,
          namespace: cluster.metadata.namespace ?? '',
          uid: cluster.metadata.uid ?? '',
        },
        snapshot: { ...seedStore, ...expected, sha256: record.sha256 },
        ...(onClaim.timeoutMs === undefined ? {} : { timeoutMs: onClaim.timeoutMs }),
      });
    }
    const store = await openBackupStore(this.#options.core, backup, this.#options.pvcRoot);
    try {
      return await fetchVerified({ store, ...expected, sha256: () => Promise.resolve(record.sha256) }, staged);
    } finally {
      store.close();
    }
  }

  /** Step 1: the plan and the seed source on the EtcdCluster, in one patch. */
  async #record(cluster: EtcdCluster, plan: RecoveryPlan, seed: SeedSource): Promise<void> {
    const namespace = cluster.metadata.namespace ?? '';
    const name = cluster.metadata.name;
    try {
      await this.#options.customObjects.patchNamespacedCustomObject(
        {
          group: ETCD_CLUSTER.group,
          version: ETCD_CLUSTER.version,
          plural: ETCD_CLUSTER.plural,
          namespace,
          name,
          body: {
            metadata: {
              // A stale read must not overwrite a newer plan: the patch applies only to the version observed.
              resourceVersion: cluster.metadata.resourceVersion,
              annotations: { [RECOVERY_ANNOTATION]: JSON.stringify(plan), [SEED_ANNOTATION]: JSON.stringify(seed) },
            },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    } catch (error) {
      throw kubernetesApiError({ verb: 'patch', resource: ETCD_CLUSTER.plural, namespace, name }, error);
    }
  }

  /**
   * Step 2: deletes what is left of the lost cluster's pods and claims; true while any of them still exists (the
   * caller observes again; absence is what the informers show, not a guess).
   */
  async clearLostMembers(
    cluster: EtcdCluster,
    plan: RecoveryPlan,
    pods: readonly V1Pod[],
    claims: readonly V1PersistentVolumeClaim[],
    event: RecoveryEvent,
  ): Promise<boolean> {
    const namespace = cluster.metadata.namespace ?? '';
    const lostPods = pods.filter((pod) => plan.pods.includes(pod.metadata?.name ?? ''));
    const lostClaims = claims.filter((claim) => plan.claims.includes(claim.metadata?.name ?? ''));
    for (const pod of lostPods) {
      if (pod.metadata?.deletionTimestamp !== undefined) continue;
      const name = pod.metadata?.name ?? '';
      try {
        await this.#options.core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 });
      } catch (error) {
        if (!isNotFound(error)) throw kubernetesApiError({ verb: 'delete', resource: 'pods', namespace, name }, error);
      }
      await event('Normal', 'RecoveryPodDeleted', `deleted pod ${name} of the lost cluster, with its data`);
    }
    for (const claim of lostClaims) {
      if (claim.metadata?.deletionTimestamp !== undefined) continue;
      const name = claim.metadata?.name ?? '';
      try {
        await this.#options.core.deleteNamespacedPersistentVolumeClaim({ namespace, name });
      } catch (error) {
        if (!isNotFound(error)) {
          throw kubernetesApiError({ verb: 'delete', resource: 'persistentvolumeclaims', namespace, name }, error);
        }
      }
      await event('Normal', 'RecoveryClaimDeleted', `deleted claim ${name} of the lost cluster`);
    }
    return lostPods.length > 0 || lostClaims.length > 0;
  }

  /** Step 4: the recovery is done; the status keeps it (and so the cluster's new ID counts from now on). */
  async complete(cluster: EtcdCluster, plan: RecoveryPlan, clusterID: string): Promise<void> {
    const namespace = cluster.metadata.namespace ?? '';
    const name = cluster.metadata.name;
    const recorded = {
      token: plan.token,
      backup: plan.backup,
      snapshot: plan.snapshot,
      restoredRevision: plan.restoredRevision,
      revisionLost: plan.revisionLost,
      ...(plan.previousClusterID === undefined ? {} : { previousClusterID: plan.previousClusterID }),
      startedAt: plan.startedAt,
    };
    try {
      await this.#options.customObjects.patchNamespacedCustomObjectStatus(
        {
          group: ETCD_CLUSTER.group,
          version: ETCD_CLUSTER.version,
          plural: ETCD_CLUSTER.plural,
          namespace,
          name,
          body: { status: { clusterID, lastRecovery: { ...recorded, completedAt: new Date().toISOString() } } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    } catch (error) {
      throw kubernetesApiError({ verb: 'patch', resource: `${ETCD_CLUSTER.plural}/status`, namespace, name }, error);
    }
  }
}
