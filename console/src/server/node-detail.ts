// A Node for its own page (the Nodes page's row and its conditions), and a pod bound to it with what a drain would
// do with it.
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { DrainDecision, NodeDetailRow, PodRow } from '../shared/node-detail.ts';
import { nodeRow } from './node-row.ts';

/** The kubelet's annotation on the API's copy of a static pod. */
export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

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

/**
 * What `kubectl drain` (without --force and --delete-emptydir-data) does with a pod: finished, mirror and DaemonSet
 * pods stay (the DaemonSet controller would put its pod straight back), a terminating pod is already going, a pod
 * no controller would recreate or whose emptyDir data would be lost is not evicted; every other pod is.
 */
export function drainDecision(pod: V1Pod): DrainDecision {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return { action: 'skip', reason: 'finished' };
  if (pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return { action: 'skip', reason: 'mirror' };
  const controller = controllerOf(pod);
  if (controller?.kind === 'DaemonSet') return { action: 'skip', reason: 'daemonset' };
  if (pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null)
    return { action: 'skip', reason: 'terminating' };
  if (controller === undefined)
    return { action: 'refuse', reason: 'no-controller', detail: 'no controller would recreate it elsewhere' };
  const emptyDirs = (pod.spec?.volumes ?? []).filter((volume) => volume.emptyDir !== undefined).map((v) => v.name);
  if (emptyDirs.length > 0)
    return {
      action: 'refuse',
      reason: 'emptydir',
      detail: `its emptyDir data (${emptyDirs.join(', ')}) would be lost`,
    };
  return { action: 'evict' };
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
