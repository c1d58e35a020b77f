// A Node object as the Nodes page's row. The update state reads the update operator's protocol
// (update.strata.dev/* annotations and labels) from @strata/api, the one definition both sides of it use.
import type { V1Node } from '@kubernetes/client-node';
import { ANNOTATIONS, LABELS, TRUE } from '@strata/api';
import type { NodeRow } from '../shared/node-row.ts';

const ROLE_LABEL_PREFIX = 'node-role.kubernetes.io/';

function updateState(annotations: Readonly<Record<string, string>>): string {
  const newVersion = annotations[ANNOTATIONS.newVersion];
  if (annotations[ANNOTATIONS.rebootFailed] === TRUE) return 'Reboot failed';
  const drainFailed = annotations[ANNOTATIONS.drainFailed];
  if (drainFailed !== undefined) return `Drain failed at ${drainFailed}`;
  if (annotations[ANNOTATIONS.rebootInProgress] === TRUE) return 'Rebooting';
  if (annotations[ANNOTATIONS.rebootOk] === TRUE) return 'Reboot granted';
  if (annotations[ANNOTATIONS.rebootNeeded] === TRUE)
    return newVersion === undefined ? 'Reboot needed' : `Reboot needed for ${newVersion}`;
  const status = annotations[ANNOTATIONS.status];
  return status === undefined ? 'Not reported' : status;
}

function readiness(node: V1Node): NodeRow['ready'] {
  const condition = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (condition?.status === 'True') return 'Ready';
  if (condition?.status === 'False') return 'NotReady';
  return 'Unknown';
}

export function nodeRow(node: V1Node): NodeRow {
  const labels = node.metadata?.labels ?? {};
  const osVersion = labels[LABELS.version];
  return {
    name: node.metadata?.name ?? '',
    roles: Object.keys(labels)
      .filter((key) => key.startsWith(ROLE_LABEL_PREFIX))
      .map((key) => key.slice(ROLE_LABEL_PREFIX.length))
      .filter((role) => role !== '')
      .sort(),
    ready: readiness(node),
    schedulable: node.spec?.unschedulable !== true,
    osImage: node.status?.nodeInfo?.osImage ?? '',
    kubeletVersion: node.status?.nodeInfo?.kubeletVersion ?? '',
    ...(osVersion === undefined ? {} : { osVersion }),
    updateState: updateState(node.metadata?.annotations ?? {}),
    rebootsPaused: labels[LABELS.rebootsPaused] !== undefined,
  };
}
