import { createHash } from 'node:crypto';
import type { V1Node, V1NodeCondition, V1NodeStatus, V1Taint } from '@kubernetes/client-node';
import type { OsRelease } from '@strata/api';
import { isKubeletLabel, ROLE_LABEL_PREFIX, type ResolvedNodeSpec } from './node-spec.ts';

export const INSTANCE_TYPE = 'strata-local';
export const KUBELET_PORT = 10250;
export const CONTAINER_RUNTIME_VERSION = 'containerd://2.0.5';
const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';

/** What the kubelet reads from the machine and reports in nodeInfo. */
export interface MachineFacts {
  readonly release: OsRelease;
  readonly bootId: string;
  readonly kubeletVersion: string;
  /** Where the node's kubelet API listens (daemonEndpoints); 10250 unless the node serves on another port. */
  readonly kubeletPort?: number;
}

/** Ready, or why not, as the kubelet's Ready condition says it. */
export type Readiness =
  { readonly ready: true } | { readonly ready: false; readonly reason: string; readonly message: string };

export const READY: Readiness = { ready: true };
export const SHUTTING_DOWN: Readiness = { ready: false, reason: 'KubeletNotReady', message: 'node is shutting down' };

const hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** /etc/machine-id: stable for the node's life, derived from its name so a restarted simulation keeps it. */
export const machineId = (nodeName: string): string => hex(`machine-id:${nodeName}`).slice(0, 32);

/** The SMBIOS product UUID, likewise stable. */
export function systemUuid(nodeName: string): string {
  const h = hex(`system-uuid:${nodeName}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The labels the node sets on itself at registration; NodeRestriction refuses the others from a kubelet. */
export function kubeletLabels(
  spec: ResolvedNodeSpec,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const own = Object.entries({ ...spec.labels, ...extra }).filter(([key]) => isKubeletLabel(key));
  return {
    ...Object.fromEntries(own),
    'beta.kubernetes.io/arch': spec.architecture,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': spec.architecture,
    'kubernetes.io/hostname': spec.name,
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': INSTANCE_TYPE,
  };
}

/** Role labels and any other label only an administrator may set, as kubeadm sets node-role.kubernetes.io/control-plane. */
export function administratorLabels(spec: ResolvedNodeSpec): Record<string, string> {
  const roles = Object.fromEntries(spec.roles.map((role) => [`${ROLE_LABEL_PREFIX}${role}`, '']));
  const others = Object.entries(spec.labels).filter(([key]) => !isKubeletLabel(key));
  return { ...Object.fromEntries(others), ...roles };
}

function capacity(spec: ResolvedNodeSpec): { capacity: Record<string, string>; allocatable: Record<string, string> } {
  const { cpuCores, memoryMiB, ephemeralStorageGiB, pods } = spec.capacity;
  const storageKi = ephemeralStorageGiB * 1024 * 1024;
  return {
    capacity: {
      cpu: String(cpuCores),
      'ephemeral-storage': `${storageKi}Ki`,
      'hugepages-1Gi': '0',
      'hugepages-2Mi': '0',
      memory: `${memoryMiB * 1024}Ki`,
      pods: String(pods),
    },
    // The kubelet's default hard eviction thresholds: memory.available<100Mi, nodefs.available<10%.
    allocatable: {
      cpu: String(cpuCores),
      'ephemeral-storage': String(Math.floor(storageKi * 1024 * 0.9)),
      'hugepages-1Gi': '0',
      'hugepages-2Mi': '0',
      memory: `${(memoryMiB - 100) * 1024}Ki`,
      pods: String(pods),
    },
  };
}

function conditions(readiness: Readiness, now: Date, previous: readonly V1NodeCondition[]): V1NodeCondition[] {
  const condition = (type: string, status: 'True' | 'False', reason: string, message: string): V1NodeCondition => {
    const before = previous.find((candidate) => candidate.type === type);
    return {
      type,
      status,
      reason,
      message,
      lastHeartbeatTime: now,
      lastTransitionTime:
        before?.status === status && before.lastTransitionTime !== undefined ? before.lastTransitionTime : now,
    };
  };
  return [
    condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    readiness.ready
      ? condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status')
      : condition('Ready', 'False', readiness.reason, readiness.message),
  ];
}

/** Node status as the kubelet computes it; `previous` keeps lastTransitionTime of conditions that did not change. */
export function nodeStatus(
  spec: ResolvedNodeSpec,
  facts: MachineFacts,
  readiness: Readiness,
  now: Date,
  previous: readonly V1NodeCondition[] = [],
): V1NodeStatus {
  return {
    ...capacity(spec),
    conditions: conditions(readiness, now, previous),
    addresses: [
      { type: 'InternalIP', address: spec.ip },
      { type: 'Hostname', address: spec.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: facts.kubeletPort ?? KUBELET_PORT } },
    nodeInfo: {
      architecture: spec.architecture,
      bootID: facts.bootId,
      containerRuntimeVersion: CONTAINER_RUNTIME_VERSION,
      kernelVersion: facts.release.kernelVersion,
      kubeProxyVersion: facts.kubeletVersion,
      kubeletVersion: facts.kubeletVersion,
      machineID: machineId(spec.name),
      operatingSystem: 'linux',
      osImage: facts.release.prettyName,
      systemUUID: systemUuid(spec.name),
    },
  };
}

/** The Node a kubelet registers: it starts tainted not-ready until the node lifecycle controller sees it Ready. */
export function registrationNode(
  spec: ResolvedNodeSpec,
  facts: MachineFacts,
  readiness: Readiness,
  now: Date,
  extraLabels: Readonly<Record<string, string>> = {},
): V1Node {
  const taints: V1Taint[] = [...spec.taints];
  if (!taints.some((taint) => taint.key === NOT_READY_TAINT))
    taints.push({ key: NOT_READY_TAINT, effect: 'NoSchedule' });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: spec.name,
      labels: kubeletLabels(spec, extraLabels),
      annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: { taints },
    status: nodeStatus(spec, facts, readiness, now),
  };
}

/**
 * The status as a strategic-merge patch body on nodes/status: conditions and
 * addresses merge by type, so conditions other components own
 * (NetworkUnavailable) survive, as with the kubelet's own patch.
 */
export function nodeStatusPatch(status: V1NodeStatus): { status: V1NodeStatus } {
  return { status };
}

/** What a status report would change, heartbeat times aside: equal fingerprints need no write before the report interval. */
export function statusFingerprint(status: V1NodeStatus): string {
  return JSON.stringify({
    ...status,
    conditions: status.conditions?.map(({ type, status: value, reason, message }) => ({
      type,
      value,
      reason,
      message,
    })),
  });
}
