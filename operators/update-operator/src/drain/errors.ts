import { StrataError } from '@strata/api';

/** A pod the drain could not remove, and why. */
export interface BlockingPod {
  readonly namespace: string;
  readonly name: string;
  readonly reason: string;
}

/** Any failure of a drain; the subclasses say which. */
export class DrainError extends StrataError {}

/** The drain settings themselves are invalid (a malformed timeout, a bad selector). */
export class DrainSettingsError extends DrainError {}

/**
 * The node has pods that the drain settings do not allow deleting (no
 * controller without `force`, emptyDir data without `deleteEmptyDirData`).
 * Raised before anything is evicted, as `kubectl drain` does.
 */
export class DrainRefusedError extends DrainError {
  readonly pods: readonly BlockingPod[];

  constructor(nodeName: string, pods: readonly BlockingPod[]) {
    super(
      `cannot drain node ${nodeName}: ${pods.map((pod) => `${pod.namespace}/${pod.name} (${pod.reason})`).join('; ')}`,
      { node: nodeName, pods },
    );
    this.pods = pods;
  }
}

/** Pods were still there when the drain timeout ran out: blocked by a PodDisruptionBudget or still terminating. */
export class DrainTimeoutError extends DrainError {
  readonly pods: readonly BlockingPod[];

  constructor(nodeName: string, timeoutMs: number, pods: readonly BlockingPod[]) {
    super(
      `draining node ${nodeName} timed out after ${timeoutMs} ms; still blocking: ${pods.map((pod) => `${pod.namespace}/${pod.name} (${pod.reason})`).join('; ')}`,
      { node: nodeName, timeoutMs, pods },
    );
    this.pods = pods;
  }
}

/** The API server refused an eviction for a reason other than a disruption budget. */
export class EvictionFailedError extends DrainError {}

/** Cordoning or uncordoning the node failed. */
export class CordonError extends DrainError {}
