import type { V1Pod, V1PodCondition, V1PodStatus } from '@kubernetes/client-node';
import type { PodRuntimeStatus } from './pod-runtime.ts';
import { asDate } from './timestamps.ts';

/** The conditions the kubelet owns; any other type on a pod (DisruptionTarget, readiness gates) is someone else's. */
const KUBELET_CONDITIONS = new Set([
  'PodReadyToStartContainers',
  'Initialized',
  'ContainersReady',
  'Ready',
  'PodScheduled',
]);

type ConditionStatus = 'True' | 'False';

function unreadyContainers(pod: V1Pod, reported: PodRuntimeStatus): string[] {
  const ready = new Set(
    (reported.containerStatuses ?? []).filter((status) => status.ready).map((status) => status.name),
  );
  return (pod.spec?.containers ?? []).map((container) => container.name).filter((name) => !ready.has(name));
}

/**
 * The pod status the kubelet would write for what the runtime reports: phase,
 * IPs, container statuses and the conditions derived from them, keeping the
 * start time, the QoS class and conditions that others own.
 */
export function podStatus(pod: V1Pod, reported: PodRuntimeStatus, nodeIP: string, now: Date): V1PodStatus {
  const existing = pod.status ?? {};
  const previous = existing.conditions ?? [];
  const generation = pod.metadata?.generation;
  const condition = (type: string, status: ConditionStatus, reason?: string, message?: string): V1PodCondition => {
    const before = previous.find((candidate) => candidate.type === type);
    const transition = before?.status === status ? (asDate(before.lastTransitionTime) ?? now) : now;
    return {
      type,
      status,
      lastTransitionTime: transition,
      ...(generation === undefined ? {} : { observedGeneration: generation }),
      ...(reason === undefined ? {} : { reason }),
      ...(message === undefined ? {} : { message }),
    };
  };

  const terminal = reported.phase === 'Succeeded' || reported.phase === 'Failed';
  const unready = unreadyContainers(pod, reported);
  const containersReady = reported.ready && unready.length === 0 && !terminal;
  const notReadyMessage = `containers with unready status: [${unready.join(' ')}]`;
  const notReadyReason = terminal ? 'PodCompleted' : 'ContainersNotReady';
  const gates = (pod.spec?.readinessGates ?? []).map((gate) => gate.conditionType);
  const openGates = gates.filter((gate) => previous.find((candidate) => candidate.type === gate)?.status !== 'True');

  let ready = condition('Ready', 'True');
  if (!containersReady) ready = condition('Ready', 'False', notReadyReason, terminal ? undefined : notReadyMessage);
  else if (openGates.length > 0) {
    ready = condition(
      'Ready',
      'False',
      'ReadinessGatesNotReady',
      `corresponding condition of pod readiness gate "${openGates[0]}" does not exist.`,
    );
  }

  const sandboxReady = !terminal && (reported.phase === 'Running' || reported.podIP !== undefined);
  const conditions: V1PodCondition[] = [
    condition('PodReadyToStartContainers', sandboxReady ? 'True' : 'False'),
    condition('Initialized', 'True', terminal ? 'PodCompleted' : undefined),
    ready,
    containersReady
      ? condition('ContainersReady', 'True')
      : condition('ContainersReady', 'False', notReadyReason, terminal ? undefined : notReadyMessage),
    condition('PodScheduled', 'True'),
    ...previous.filter((candidate) => !KUBELET_CONDITIONS.has(candidate.type)),
  ];

  const podIP = reported.podIP;
  return {
    ...(generation === undefined ? {} : { observedGeneration: generation }),
    phase: reported.phase,
    conditions,
    hostIP: nodeIP,
    hostIPs: [{ ip: nodeIP }],
    ...(podIP === undefined ? {} : { podIP, podIPs: [{ ip: podIP }] }),
    startTime: asDate(existing.startTime) ?? reported.startTime ?? now,
    containerStatuses: [...(reported.containerStatuses ?? [])],
    ...(existing.qosClass === undefined ? {} : { qosClass: existing.qosClass }),
    ...(reported.reason === undefined ? {} : { reason: reported.reason }),
    ...(reported.message === undefined ? {} : { message: reported.message }),
  };
}

/** What a status says, timestamps aside: a write that would not change it is skipped. */
export function podStatusFingerprint(status: V1PodStatus | undefined): string {
  if (status === undefined) return '';
  return JSON.stringify({
    phase: status.phase,
    conditions: (status.conditions ?? []).map(({ type, status: value, reason, message }) => [
      type,
      value,
      reason,
      message,
    ]),
    hostIP: status.hostIP,
    podIP: status.podIP,
    reason: status.reason,
    message: status.message,
    containers: (status.containerStatuses ?? []).map((container) => [
      container.name,
      container.ready,
      container.restartCount,
      container.containerID,
      container.state?.running !== undefined,
      container.state?.terminated?.exitCode,
      container.state?.waiting?.reason,
    ]),
  });
}
