// Kubernetes Events (events.k8s.io/v1) for the operator's decisions, on the
// Node they concern and on the UpdatePolicy. Events are a record for people:
// one that cannot be written is logged, never retried at the expense of the
// rollout.
import type { KubeConfig } from '@kubernetes/client-node';
import { EventRecorder, CLUSTER_EVENT_NAMESPACE, nodeEventObject, type EventObject } from '@strata/kube';
import type { Logger } from 'pino';

export const REPORTING_CONTROLLER = 'update.strata.dev/operator';
/** Cluster-scoped objects' Events live here, as the kubelet's Node events do. */
export const EVENT_NAMESPACE = CLUSTER_EVENT_NAMESPACE;

export type EventSubject = EventObject;

export interface OperatorEvent {
  readonly regarding: EventSubject;
  /** A second object involved, e.g. the UpdatePolicy of a Node's event. */
  readonly related?: EventSubject;
  readonly reason: string;
  /** What was done: Approve, Revoke, Complete, Fail, Lock, Unlock, Drain, Block. */
  readonly action: string;
  readonly note: string;
  readonly warning: boolean;
}

export type EventSink = (event: OperatorEvent) => Promise<void>;

/** Writes events through the API, only while `mayWrite` says this replica leads. */
export function apiEventSink(
  kubeConfig: KubeConfig,
  identity: string,
  mayWrite: () => boolean,
  logger: Logger,
): EventSink {
  const recorder = new EventRecorder(kubeConfig, {
    reportingController: REPORTING_CONTROLLER,
    reportingInstance: identity,
  });
  return async (event) => {
    if (!mayWrite()) return;
    const { regarding, related, reason, action, note } = event;
    try {
      await recorder.record({
        regarding,
        ...(related === undefined ? {} : { related }),
        reason,
        action,
        note,
        type: event.warning ? 'Warning' : 'Normal',
      });
    } catch (error) {
      logger.warn({ err: error, reason: event.reason, regarding: event.regarding.name }, 'could not record an Event');
    }
  };
}

/** A Node as Events name it: with its name as uid, as the kubelet does and as `kubectl describe node` looks them up. */
export const nodeSubject = nodeEventObject;
