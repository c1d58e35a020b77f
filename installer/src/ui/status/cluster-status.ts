// What `strata status` shows of a running cluster, computed from what the
// watches hold (Nodes, UpdatePolicies) and what the last health probes said
// (/readyz, etcd). Pure, so the view is a function of (status, now) and a test
// reaches any screen from typed objects.
import type { V1Node } from '@kubernetes/client-node';
import { ANNOTATIONS, LABELS, TRUE, type UpdatePolicy } from '@strata/api';

/** A health probe's last answer; `checkedAt` in milliseconds since the epoch. */
export interface ProbedHealth {
  readonly healthy: boolean;
  readonly detail: string;
  readonly checkedAt: number;
}

/** What the update protocol's annotations say the node is doing, if anything. */
export type NodeUpdate = 'reboot needed' | 'reboot approved' | 'rebooting' | 'reboot failed' | 'drain failed';

export interface NodeStatus {
  readonly name: string;
  readonly role: 'controller' | 'worker';
  /** The running OS and its version as the update agent labels it, else the kubelet's osImage. */
  readonly os: string;
  readonly ready: boolean;
  /** Cordoned: spec.unschedulable. */
  readonly cordoned: boolean;
  readonly update?: NodeUpdate;
  /** The version an update staged, when the agent reports one. */
  readonly newVersion?: string;
}

export interface PolicyStatus {
  readonly name: string;
  readonly total: number;
  readonly upToDate?: number;
  readonly inProgress: readonly string[];
  /** The conditions whose status is True (Progressing, Blocked, Degraded), with their reason. */
  readonly active: readonly { readonly type: string; readonly reason: string }[];
}

export interface ClusterStatus {
  readonly cluster: string;
  readonly platform: string;
  readonly apiServerUrl: string;
  /** Undefined until the first probe has answered. */
  readonly api?: ProbedHealth;
  readonly etcd?: ProbedHealth;
  /** Undefined until the Node watch has listed once. */
  readonly nodes?: readonly NodeStatus[];
  /** Undefined until the UpdatePolicy watch has listed once. */
  readonly policies?: readonly PolicyStatus[];
  /** Why a watch is not current (it restarts with back-off meanwhile), by what it watches. */
  readonly watchProblems: Readonly<Record<string, string>>;
}

const CONTROLLER_LABEL = 'node.kubernetes.io/controller';

function nodeUpdate(annotations: Readonly<Record<string, string>>): NodeUpdate | undefined {
  if (annotations[ANNOTATIONS.rebootFailed] === TRUE) return 'reboot failed';
  if (annotations[ANNOTATIONS.drainFailed] !== undefined) return 'drain failed';
  if (annotations[ANNOTATIONS.rebootInProgress] === TRUE) return 'rebooting';
  if (annotations[ANNOTATIONS.rebootOk] === TRUE) return 'reboot approved';
  if (annotations[ANNOTATIONS.rebootNeeded] === TRUE) return 'reboot needed';
  return undefined;
}

export function nodeStatus(node: V1Node): NodeStatus {
  const labels = node.metadata?.labels ?? {};
  const annotations = node.metadata?.annotations ?? {};
  const osId = labels[LABELS.osId];
  const version = labels[LABELS.version];
  const os =
    osId !== undefined && version !== undefined ? `${osId} ${version}` : (node.status?.nodeInfo?.osImage ?? 'unknown');
  const update = nodeUpdate(annotations);
  const newVersion = annotations[ANNOTATIONS.newVersion];
  return {
    name: node.metadata?.name ?? '',
    role: labels[CONTROLLER_LABEL] === 'true' ? 'controller' : 'worker',
    os,
    ready:
      node.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false,
    cordoned: node.spec?.unschedulable === true,
    ...(update === undefined ? {} : { update }),
    ...(newVersion === undefined || newVersion === '' ? {} : { newVersion }),
  };
}

export function policyStatus(policy: UpdatePolicy): PolicyStatus {
  const status = policy.status;
  return {
    name: policy.metadata.name,
    total: status?.nodes?.total ?? 0,
    ...(status?.nodes?.upToDate === undefined ? {} : { upToDate: status.nodes.upToDate }),
    inProgress: status?.inProgress ?? [],
    active: (status?.conditions ?? [])
      .filter((condition) => condition.status === 'True')
      .map((condition) => ({ type: condition.type, reason: condition.reason })),
  };
}

/** A node's state as kubectl words it: Ready or NotReady, and SchedulingDisabled when cordoned. */
export function nodeStateWords(node: NodeStatus): string {
  return `${node.ready ? 'Ready' : 'NotReady'}${node.cordoned ? ',SchedulingDisabled' : ''}`;
}

/** The nodes grouped by OS version, the versions sorted, the nodes by name within each. */
export function nodesByOs(nodes: readonly NodeStatus[]): { readonly os: string; readonly nodes: NodeStatus[] }[] {
  const groups = new Map<string, NodeStatus[]>();
  for (const node of [...nodes].sort((a, b) => a.name.localeCompare(b.name))) {
    const group = groups.get(node.os) ?? [];
    group.push(node);
    groups.set(node.os, group);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([os, members]) => ({ os, nodes: members }));
}
