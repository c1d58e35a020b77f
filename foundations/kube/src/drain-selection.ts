// What a drain does with one pod bound to the node, by `kubectl drain`'s
// filters: the one rule for the update operator's drain (before a reboot) and
// the console's (a user's Drain button), so that both leave, evict and refuse
// the same pods.
import type { V1DeleteOptions, V1Eviction, V1Pod } from '@kubernetes/client-node';
import { POD_ANNOTATIONS } from '@strata/api';

/** The kubelet's annotation on the API's copy of a static pod. */
export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

/** Why a pod is left on the node: finished, a static pod's mirror, a DaemonSet's, or one the caller leaves. */
export type DrainSkipReason = 'terminated' | 'mirror' | 'daemonset' | 'skip-selector';

/** Why a pod is not evicted unless the drain is told to go ahead (kubectl's --force, --delete-emptydir-data). */
export type DrainRefusal =
  { readonly kind: 'no-controller' } | { readonly kind: 'emptydir'; readonly volumes: readonly string[] };

export type PodDrainDecision =
  | { readonly action: 'evict' }
  | { readonly action: 'skip'; readonly reason: DrainSkipReason }
  /** Already being deleted: nothing to evict, only to wait for. */
  | { readonly action: 'await-deletion' }
  | { readonly action: 'refuse'; readonly refusals: readonly DrainRefusal[] };

export interface PodDrainOptions {
  /** Evict pods that no controller would recreate elsewhere. */
  readonly force: boolean;
  /** Evict pods whose emptyDir volumes hold data (those not declared scratch). */
  readonly deleteEmptyDirData: boolean;
  /** Pods the caller leaves on the node (the update operator's skipPodSelectors). */
  readonly skip?: (pod: V1Pod) => boolean;
}

const controllerOf = (pod: V1Pod) => pod.metadata?.ownerReferences?.find((owner) => owner.controller === true);

/** The pod's emptyDir volumes that hold data: those its scratch-volumes annotation does not declare lost without harm. */
function emptyDirsWithData(pod: V1Pod): string[] {
  const scratch = new Set(
    (pod.metadata?.annotations?.[POD_ANNOTATIONS.scratchVolumes] ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
  );
  return (pod.spec?.volumes ?? [])
    .filter((volume) => volume.emptyDir !== undefined && !scratch.has(volume.name))
    .map((volume) => volume.name);
}

export function podDrainDecision(pod: V1Pod, options: PodDrainOptions): PodDrainDecision {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return { action: 'skip', reason: 'terminated' };
  if (pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return { action: 'skip', reason: 'mirror' };
  // The DaemonSet controller would put the pod straight back, and ignores unschedulable nodes anyway.
  if (controllerOf(pod)?.kind === 'DaemonSet') return { action: 'skip', reason: 'daemonset' };
  if (options.skip?.(pod) === true) return { action: 'skip', reason: 'skip-selector' };
  if (pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null)
    return { action: 'await-deletion' };
  const refusals: DrainRefusal[] = [];
  if (!options.force && controllerOf(pod) === undefined) refusals.push({ kind: 'no-controller' });
  const volumes = emptyDirsWithData(pod);
  if (!options.deleteEmptyDirData && volumes.length > 0) refusals.push({ kind: 'emptydir', volumes });
  return refusals.length > 0 ? { action: 'refuse', refusals } : { action: 'evict' };
}

/**
 * The delete options that remove `pod` and no other: the UID precondition keeps a replacement of the same name from
 * going in its place; `gracePeriodSeconds` below 0 leaves the pod's own.
 */
export function deleteOptionsOf(pod: V1Pod, gracePeriodSeconds = -1): V1DeleteOptions {
  const uid = pod.metadata?.uid;
  return {
    ...(gracePeriodSeconds >= 0 ? { gracePeriodSeconds } : {}),
    ...(uid === undefined ? {} : { preconditions: { uid } }),
  };
}

/** The policy/v1 Eviction of `pod`, which the API server carries out only as far as its PodDisruptionBudgets allow. */
export function evictionOf(pod: V1Pod, gracePeriodSeconds = -1): V1Eviction {
  return {
    apiVersion: 'policy/v1',
    kind: 'Eviction',
    metadata: { name: pod.metadata?.name ?? '', namespace: pod.metadata?.namespace ?? '' },
    deleteOptions: deleteOptionsOf(pod, gracePeriodSeconds),
  };
}
