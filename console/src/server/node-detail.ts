// A Node for its own page (the Nodes page's row and its conditions), and a pod bound to it with what a drain would
// do with it.
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { podDrainDecision, type DrainRefusal } from '@strata/kube';
import {
  KUBECTL_DRAIN_DEFAULTS,
  type DrainDecision,
  type DrainOptions,
  type NodeDetailRow,
  type PodRow,
} from '../shared/node-detail.ts';
import { nodeRow } from './node-row.ts';

const asIso = (value: Date | string | undefined): string =>
  value === undefined ? '' : value instanceof Date ? value.toISOString() : value;

export function nodeDetailRow(node: V1Node): NodeDetailRow {
  return {
    ...nodeRow(node),
    conditions: (node.status?.conditions ?? []).map((condition) => ({
      type: condition.type,
      status: condition.status,
      reason: condition.reason ?? '',
      message: condition.message ?? '',
      lastTransitionTime: asIso(condition.lastTransitionTime),
    })),
  };
}

const controllerOf = (pod: V1Pod) => pod.metadata?.ownerReferences?.find((owner) => owner.controller === true);

const describeRefusal = (refusal: DrainRefusal): string =>
  refusal.kind === 'no-controller'
    ? 'no controller would recreate it elsewhere'
    : `its emptyDir data (${refusal.volumes.join(', ')}) would be lost`;

/**
 * What a drain with `options` does with a pod: the update operator's rule (@strata/kube's podDrainDecision), so that
 * the console and the operator's drains treat every pod alike.
 */
export function drainDecision(pod: V1Pod, options: DrainOptions = KUBECTL_DRAIN_DEFAULTS): DrainDecision {
  const decision = podDrainDecision(pod, options);
  switch (decision.action) {
    case 'evict':
      return { action: 'evict' };
    case 'skip':
      return { action: 'skip', reason: decision.reason };
    case 'await-deletion':
      return { action: 'skip', reason: 'terminating' };
    case 'refuse':
      return {
        action: 'refuse',
        reasons: decision.refusals.map((refusal) => refusal.kind),
        detail: decision.refusals.map(describeRefusal).join('; '),
      };
  }
}

export function podRow(pod: V1Pod): PodRow {
  const controller = controllerOf(pod);
  return {
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    phase: pod.status?.phase ?? 'Unknown',
    ...(controller === undefined ? {} : { controller: `${controller.kind}/${controller.name}` }),
    drain: drainDecision(pod),
  };
}
