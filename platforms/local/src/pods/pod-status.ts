import type { V1Container, V1ContainerStatus } from '@kubernetes/client-node';
import type { PodRuntimeStatus } from '../node/pod-runtime.ts';
import type { ContainerRestartPolicy } from './container-runner.ts';

export type PodPhase = PodRuntimeStatus['phase'];

/** The kubelet's getPhase for a pod whose init containers are done. */
export function podPhase(statuses: readonly V1ContainerStatus[], restartPolicy: ContainerRestartPolicy): PodPhase {
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const status of statuses) {
    if (status.state?.running !== undefined) running++;
    else if (status.state?.terminated !== undefined) {
      stopped++;
      if (status.state.terminated.exitCode === 0) succeeded++;
    } else if (status.lastState?.terminated !== undefined) {
      // Waiting to be restarted: it has run, so the pod is past Pending.
      stopped++;
    } else waiting++;
  }
  if (waiting > 0 || statuses.length === 0) return 'Pending';
  if (running > 0) return 'Running';
  if (restartPolicy === 'Always') return 'Running';
  if (stopped === succeeded) return 'Succeeded';
  return restartPolicy === 'Never' ? 'Failed' : 'Running';
}

export function isReady(phase: PodPhase, statuses: readonly V1ContainerStatus[]): boolean {
  return phase === 'Running' && statuses.length > 0 && statuses.every((status) => status.ready);
}

/** The statuses of containers that have not been created, waiting for `reason`. */
export function waitingStatuses(
  containers: readonly V1Container[],
  reason: string,
  message?: string,
): V1ContainerStatus[] {
  return containers.map((container) => ({
    name: container.name,
    image: container.image ?? '',
    imageID: '',
    ready: false,
    started: false,
    restartCount: 0,
    state: { waiting: { reason, ...(message === undefined ? {} : { message }) } },
    lastState: {},
  }));
}
