import type { V1Pod } from '@kubernetes/client-node';
import { podDrainDecision, type DrainRefusal, type DrainSkipReason } from '@strata/kube';
import { selectorMatches } from '../policy/label-selector.ts';
import type { ResolvedDrainSettings } from './drain-settings.ts';
import type { BlockingPod } from './errors.ts';

export { MIRROR_POD_ANNOTATION } from '@strata/kube';

export type SkipReason = DrainSkipReason;

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

/** A refusal in the policy's words: the setting that would allow it. */
function describeRefusal(refusal: DrainRefusal): string {
  return refusal.kind === 'no-controller'
    ? 'it has no controller to recreate it elsewhere; drain.force allows deleting it'
    : `its emptyDir data (${refusal.volumes.join(', ')}) would be lost; drain.deleteEmptyDirData allows deleting it`;
}

/** `kubectl drain`'s pod filters, applied to the pods bound to one node. */
export function selectPodsToDrain(pods: readonly V1Pod[], settings: ResolvedDrainSettings): PodSelection {
  const evict: V1Pod[] = [];
  const awaitDeletion: V1Pod[] = [];
  const skipped: SkippedPod[] = [];
  const refused: BlockingPod[] = [];
  const options = {
    force: settings.force,
    deleteEmptyDirData: settings.deleteEmptyDirData,
    skip: (pod: V1Pod) =>
      settings.skipPodSelectors.some((selector) => selectorMatches(selector, pod.metadata?.labels ?? {})),
  };
  for (const pod of pods) {
    const decision = podDrainDecision(pod, options);
    switch (decision.action) {
      case 'skip':
        skipped.push({ pod, reason: decision.reason });
        break;
      case 'await-deletion':
        awaitDeletion.push(pod);
        break;
      case 'refuse':
        refused.push({
          namespace: pod.metadata?.namespace ?? '',
          name: pod.metadata?.name ?? '',
          reason: decision.refusals.map(describeRefusal).join('; '),
        });
        break;
      case 'evict':
        evict.push(pod);
    }
  }
  return { evict, awaitDeletion, skipped, refused };
}
