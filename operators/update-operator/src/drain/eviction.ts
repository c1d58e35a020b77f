import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { EvictionFailedError } from './errors.ts';
import { apiStatusOf, deleteOptionsOf, describeApiError, evictionOf, statusCodeOf } from '@strata/kube';

export type EvictionOutcome =
  | { readonly kind: 'evicted' }
  /** The pod (this UID of it) no longer exists. */
  | { readonly kind: 'gone' }
  /** A PodDisruptionBudget does not allow the eviction now; retry later. */
  | { readonly kind: 'blocked'; readonly budget: string | undefined; readonly message: string };

/** The cause the eviction subresource attaches to a 429 (policyv1.DisruptionBudgetCause; StatusCause.Type is "reason" in JSON). */
const DISRUPTION_BUDGET_CAUSE = 'DisruptionBudget';
/** Every message of that cause begins so: "needs N healthy pods…", "is still being processed…", "does not allow…". */
const BUDGET_NAME = /^The disruption budget (\S+) /;

/** The PodDisruptionBudget a 429 from the eviction subresource names, and its message. */
export function disruptionBudgetOf(error: unknown): { budget: string | undefined; message: string } {
  const status = apiStatusOf(error);
  const cause = status?.details?.causes?.find((candidate) => candidate.reason === DISRUPTION_BUDGET_CAUSE);
  const message = cause?.message ?? status?.message ?? describeApiError(error);
  return { budget: BUDGET_NAME.exec(cause?.message ?? '')?.[1], message };
}

/**
 * Asks the API server to evict one pod (policy/v1 Eviction), which honours
 * every PodDisruptionBudget covering it; the UID precondition keeps a
 * replacement of the same name from being evicted in its place.
 */
export async function evictPod(core: CoreV1Api, pod: V1Pod, gracePeriodSeconds: number): Promise<EvictionOutcome> {
  const name = pod.metadata?.name ?? '';
  const namespace = pod.metadata?.namespace ?? '';
  try {
    await core.createNamespacedPodEviction({ name, namespace, body: evictionOf(pod, gracePeriodSeconds) });
    return { kind: 'evicted' };
  } catch (error) {
    const code = statusCodeOf(error);
    // 404: already deleted. 409: the UID precondition failed, so the pod we meant is gone and another took its name.
    if (code === 404 || code === 409) return { kind: 'gone' };
    if (code === 429) return { kind: 'blocked', ...disruptionBudgetOf(error) };
    throw new EvictionFailedError(
      `evicting pod ${namespace}/${name} failed: ${describeApiError(error)}`,
      { namespace, name, code },
      { cause: error },
    );
  }
}

/**
 * Deletes one pod directly, bypassing every PodDisruptionBudget: what `force`
 * allows once a budget has kept refusing the eviction for the whole drain
 * timeout. The UID precondition still protects a replacement.
 */
export async function deletePodBypassingBudgets(
  core: CoreV1Api,
  pod: V1Pod,
  gracePeriodSeconds: number,
): Promise<'deleted' | 'gone'> {
  const name = pod.metadata?.name ?? '';
  const namespace = pod.metadata?.namespace ?? '';
  try {
    await core.deleteNamespacedPod({ name, namespace, body: deleteOptionsOf(pod, gracePeriodSeconds) });
    return 'deleted';
  } catch (error) {
    const code = statusCodeOf(error);
    if (code === 404 || code === 409) return 'gone';
    throw new EvictionFailedError(
      `deleting pod ${namespace}/${name} (force, past the drain timeout) failed: ${describeApiError(error)}`,
      { namespace, name, code },
      { cause: error },
    );
  }
}
