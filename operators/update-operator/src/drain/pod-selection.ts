import type { V1Pod } from '@kubernetes/client-node';
import { POD_ANNOTATIONS } from '@strata/api';
import { selectorMatches } from '../policy/label-selector.ts';
import type { ResolvedDrainSettings } from './drain-settings.ts';
import type { BlockingPod } from './errors.ts';

/** The kubelet's annotation on the API's copy of a static pod. */
export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

export type SkipReason = 'terminated' | 'mirror' | 'daemonset' | 'skip-selector';

export interface SkippedPod {
  readonly pod: V1Pod;
  readonly reason: SkipReason;
}

/** What a drain does with each pod on the node. */
export interface PodSelection {
  /** Evicted through the Eviction API, then waited for. */
  readonly evict: readonly V1Pod[];
  /** Already being deleted: only waited for. */
  readonly awaitDeletion: readonly V1Pod[];
  /** Left on the node. */
  readonly skipped: readonly SkippedPod[];
  /** Not allowed by the settings; any of these fails the drain before it starts. */
  readonly refused: readonly BlockingPod[];
}

const controllerOf = (pod: V1Pod) => pod.metadata?.ownerReferences?.find((owner) => owner.controller === true);

function skipReason(pod: V1Pod, settings: ResolvedDrainSettings): SkipReason | undefined {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return 'terminated';
  if (pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return 'mirror';
  // The DaemonSet controller would put the pod straight back, and ignores unschedulable nodes anyway.
  if (controllerOf(pod)?.kind === 'DaemonSet') return 'daemonset';
  const labels = pod.metadata?.labels ?? {};
  if (settings.skipPodSelectors.some((selector) => selectorMatches(selector, labels))) return 'skip-selector';
  return undefined;
}

function refusals(pod: V1Pod, settings: ResolvedDrainSettings): string[] {
  const reasons: string[] = [];
  if (!settings.force && controllerOf(pod) === undefined) {
    reasons.push('it has no controller to recreate it elsewhere; drain.force allows deleting it');
  }
  // Volumes the pod declares as scratch are lost without harm; any other emptyDir is data kubectl drain protects.
  const scratch = new Set(
    (pod.metadata?.annotations?.[POD_ANNOTATIONS.scratchVolumes] ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
  );
  const emptyDirs = (pod.spec?.volumes ?? [])
    .filter((volume) => volume.emptyDir !== undefined && !scratch.has(volume.name))
    .map((volume) => volume.name);
  if (!settings.deleteEmptyDirData && emptyDirs.length > 0) {
    reasons.push(
      `its emptyDir data (${emptyDirs.join(', ')}) would be lost; drain.deleteEmptyDirData allows deleting it`,
    );
  }
  return reasons;
}

/** `kubectl drain`'s pod filters, applied to the pods bound to one node. */
export function selectPodsToDrain(pods: readonly V1Pod[], settings: ResolvedDrainSettings): PodSelection {
  const evict: V1Pod[] = [];
  const awaitDeletion: V1Pod[] = [];
  const skipped: SkippedPod[] = [];
  const refused: BlockingPod[] = [];
  for (const pod of pods) {
    const skip = skipReason(pod, settings);
    if (skip !== undefined) {
      skipped.push({ pod, reason: skip });
      continue;
    }
    if (pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null) {
      awaitDeletion.push(pod);
      continue;
    }
    const reasons = refusals(pod, settings);
    if (reasons.length > 0) {
      refused.push({
        namespace: pod.metadata?.namespace ?? '',
        name: pod.metadata?.name ?? '',
        reason: reasons.join('; '),
      });
      continue;
    }
    evict.push(pod);
  }
  return { evict, awaitDeletion, skipped, refused };
}
