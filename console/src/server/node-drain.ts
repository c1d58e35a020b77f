// Drain as the signed-in user: cordon, then one Eviction (policy/v1) of each pod a drain evicts, with the pod's UID
// as a precondition (a pod replaced under the same name is not evicted by mistake). One pass, no waiting: the
// answer says, pod by pod, what happened, and the node page shows the pods go live. A PodDisruptionBudget's refusal
// (429) is reported with the API server's message for the user to act on, never bypassed. Which pods are evicted is
// the update operator's rule (@strata/kube's podDrainDecision), with the user's --force and --delete-emptydir-data.
import { CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { describeApiError, evictionOf, kubernetesApiError, statusCodeOf } from '@strata/kube';
import {
  describeDrainDecision,
  KUBECTL_DRAIN_DEFAULTS,
  type DrainOptions,
  type DrainPodOutcome,
  type DrainReport,
} from '../shared/node-detail.ts';
import { drainDecision } from './node-detail.ts';

/** Evicts one pod; rejects with the API server's error. */
export type Evict = (pod: V1Pod) => Promise<void>;

/** What a drain does with each of the node's pods, given a way to evict one; the pods are taken in the order given. */
export async function drainPods(
  pods: readonly V1Pod[],
  evict: Evict,
  options: DrainOptions = KUBECTL_DRAIN_DEFAULTS,
): Promise<DrainPodOutcome[]> {
  const outcomes: DrainPodOutcome[] = [];
  for (const pod of pods) {
    const namespace = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    const decision = drainDecision(pod, options);
    if (decision.action !== 'evict') {
      outcomes.push({
        namespace,
        name,
        outcome: decision.action === 'skip' ? 'skipped' : 'not-evicted',
        message: describeDrainDecision(decision),
      });
      continue;
    }
    try {
      await evict(pod);
      outcomes.push({ namespace, name, outcome: 'evicted' });
    } catch (error) {
      const status = statusCodeOf(error);
      // Gone already (deleted, or replaced by a pod with another UID): nothing is left to evict.
      if (status === 404 || status === 409) {
        outcomes.push({ namespace, name, outcome: 'evicted', message: 'already gone' });
        continue;
      }
      outcomes.push({
        namespace,
        name,
        outcome: status === 429 ? 'refused' : 'failed',
        message: describeApiError(error),
        ...(status === undefined ? {} : { status }),
      });
    }
  }
  return outcomes;
}

/**
 * Cordons `nodeName` and evicts its pods, as `kubeConfig`'s user. A refused cordon or pod list throws (the route
 * answers with the API server's status); refused evictions are in the report.
 */
export async function drainNode(
  kubeConfig: KubeConfig,
  nodeName: string,
  options: DrainOptions = KUBECTL_DRAIN_DEFAULTS,
): Promise<DrainReport> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  try {
    await core.patchNode(
      { name: nodeName, body: { spec: { unschedulable: true } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  } catch (error) {
    throw kubernetesApiError({ verb: 'patch', resource: 'nodes', name: nodeName }, error);
  }
  let pods: V1Pod[];
  try {
    pods = (await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${nodeName}` })).items;
  } catch (error) {
    throw kubernetesApiError({ verb: 'list', resource: 'pods' }, error);
  }
  const outcomes = await drainPods(
    pods,
    async (pod) => {
      const name = pod.metadata?.name ?? '';
      const namespace = pod.metadata?.namespace ?? '';
      await core.createNamespacedPodEviction({ name, namespace, body: evictionOf(pod) });
    },
    options,
  );
  return { node: nodeName, cordoned: true, options, pods: outcomes };
}
