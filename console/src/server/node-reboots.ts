// "Pause reboots" on one node, as the signed-in user: the update.strata.dev/reboots-paused label, which the update
// operator honours through selection (the default UpdatePolicy selects only nodes without it; a node no policy
// selects is never granted a reboot; ADR 0062). So the answer also says which UpdatePolicies still select the node
// once the label is written: a policy of one's own that does not exclude the label still grants its reboots.
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { LABELS, labelSelectorSchema, selectorMatches, TRUE, UPDATE_POLICY } from '@strata/api';
import { describeApiError, kubernetesApiError } from '@strata/kube';
import { z } from 'zod';
import type { RebootsAnswer } from '../shared/node-detail.ts';
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

export async function setRebootsPaused(kubeConfig: KubeConfig, name: string, paused: boolean): Promise<RebootsAnswer> {
  let node;
  try {
    node = await kubeConfig
      .makeApiClient(CoreV1Api)
      .patchNode(
        { name, body: { metadata: { labels: { [LABELS.rebootsPaused]: paused ? TRUE : null } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
  } catch (error) {
    throw kubernetesApiError({ verb: 'patch', resource: 'nodes', name }, error);
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
