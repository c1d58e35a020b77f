// "Pause reboots" on one node, as the signed-in user: the update.strata.dev/reboots-paused label, which the update
// operator honours through selection (the default UpdatePolicy selects only nodes without it; a node no policy
// selects is never granted a reboot; ADR 0062). So the answer also says which UpdatePolicies still select the node
// once the label is written: a policy of one's own that does not exclude the label still grants its reboots.
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { ANNOTATIONS, LABELS, labelSelectorSchema, selectorMatches, TRUE, UPDATE_POLICY } from '@strata/api';
import { describeApiError, kubernetesApiError } from '@strata/kube';
import { z } from 'zod';
import type { RebootsAnswer } from '../shared/node-detail.ts';
import { ActionRefusedError } from './answers.ts';
import { nodeRow } from './node-row.ts';

const policyListSchema = z.object({
  items: z.array(z.object({ metadata: z.object({ name: z.string() }), spec: z.object({ nodeSelector: z.unknown() }) })),
});

/**
 * The names of the listed UpdatePolicies that select a node with `labels`, by name. A policy whose selector this
 * console cannot read is counted as selecting: the page must not say a node's reboots are held when it cannot tell.
 */
export function policiesSelecting(listed: unknown, labels: Readonly<Record<string, string>>): string[] {
  const list = policyListSchema.parse(listed);
  return list.items
    .filter((policy) => {
      const selector = labelSelectorSchema.safeParse(policy.spec.nodeSelector ?? {});
      return !selector.success || selectorMatches(selector.data, labels);
    })
    .map((policy) => policy.metadata.name)
    .sort();
}

/**
 * The update protocol's marks of a reboot under way on a node, if any. Pausing such a node would not stop it, and
 * worse: once back, no policy (none selects it) would complete it, and its reboot-ok would stay for the agent to
 * take as leave to reboot again at the next update, paused and uncounted. So it is refused until the node is done.
 */
export function rebootUnderWay(metadata: {
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}): string | undefined {
  const annotations = metadata.annotations ?? {};
  const labels = metadata.labels ?? {};
  if (annotations[ANNOTATIONS.rebootInProgress] === TRUE) return 'it is rebooting';
  if (annotations[ANNOTATIONS.rebootOk] === TRUE) return 'a reboot is granted';
  if (annotations[ANNOTATIONS.fleetLockHolder] !== undefined) return 'it holds a FleetLock lock';
  if (labels[LABELS.beforeReboot] !== undefined) return 'its before-reboot hooks are running';
  if (labels[LABELS.afterReboot] !== undefined) return 'its after-reboot hooks are running';
  return undefined;
}

export async function setRebootsPaused(kubeConfig: KubeConfig, name: string, paused: boolean): Promise<RebootsAnswer> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  let node;
  try {
    let resourceVersion: string | undefined;
    if (paused) {
      const current = await core.readNode({ name });
      const underWay = rebootUnderWay(current.metadata ?? {});
      if (underWay !== undefined)
        throw new ActionRefusedError(
          `node ${name}: ${underWay}; pause its reboots once it is back (the operator finishes a reboot under way)`,
          { node: name },
        );
      resourceVersion = current.metadata?.resourceVersion;
    }
    // Conditional on the node read above: a grant made since then makes the API server answer 409.
    node = await core.patchNode(
      {
        name,
        body: {
          metadata: {
            labels: { [LABELS.rebootsPaused]: paused ? TRUE : null },
            ...(resourceVersion === undefined ? {} : { resourceVersion }),
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  } catch (error) {
    if (error instanceof ActionRefusedError) throw error;
    throw kubernetesApiError(
      { verb: paused ? 'pause reboots of' : 'resume reboots of', resource: 'nodes', name },
      error,
    );
  }
  const row = nodeRow(node);
  try {
    const listed: unknown = await kubeConfig.makeApiClient(CustomObjectsApi).listClusterCustomObject({
      group: UPDATE_POLICY.group,
      version: UPDATE_POLICY.version,
      plural: UPDATE_POLICY.plural,
    });
    return { row, policies: { selecting: policiesSelecting(listed, node.metadata?.labels ?? {}) } };
  } catch (error) {
    // The label is written either way; what cannot be told is said, in the API server's words.
    return { row, policies: { unknown: `list ${UPDATE_POLICY.plural}: ${describeApiError(error)}` } };
  }
}
