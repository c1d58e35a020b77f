// Kubernetes Events (events.k8s.io/v1) for the operator's decisions, on the
// Node they concern and on the UpdatePolicy. Events are a record for people:
// one that cannot be written is logged, never retried at the expense of the
// rollout.
import { randomBytes } from 'node:crypto';
import { EventsV1Api, V1MicroTime, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';

export const REPORTING_CONTROLLER = 'update.strata.dev/operator';
/** Cluster-scoped objects' Events live here, as the kubelet's Node events do. */
export const EVENT_NAMESPACE = 'default';
const MAX_NOTE_BYTES = 1024;

export interface EventSubject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
}

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

function truncate(note: string): string {
  if (Buffer.byteLength(note) <= MAX_NOTE_BYTES) return note;
  return `${Buffer.from(note).subarray(0, MAX_NOTE_BYTES - 3).toString('utf8').replace(/\uFFFD$/, '')}...`;
}

/** Writes events through the API, only while `mayWrite` says this replica leads. */
export function apiEventSink(kubeConfig: KubeConfig, identity: string, mayWrite: () => boolean, logger: Logger): EventSink {
  const client = kubeConfig.makeApiClient(EventsV1Api);
  return async (event) => {
    if (!mayWrite()) return;
    const reference = (subject: EventSubject) => ({ apiVersion: subject.apiVersion, kind: subject.kind, name: subject.name, uid: subject.uid });
    try {
      await client.createNamespacedEvent({
        namespace: EVENT_NAMESPACE,
        body: {
          apiVersion: 'events.k8s.io/v1',
          kind: 'Event',
          // As client-go names them: the object, a dot, a unique suffix (generateName may not end with the dot).
          metadata: { name: `${event.regarding.name.slice(0, 200)}.${Date.now().toString(16)}${randomBytes(4).toString('hex')}`, namespace: EVENT_NAMESPACE },
          eventTime: new V1MicroTime(),
          reportingController: REPORTING_CONTROLLER,
          reportingInstance: identity.slice(0, 128),
          action: event.action,
          reason: event.reason,
          note: truncate(event.note),
          type: event.warning ? 'Warning' : 'Normal',
          regarding: reference(event.regarding),
          ...(event.related === undefined ? {} : { related: reference(event.related) }),
        },
      });
    } catch (error) {
      logger.warn({ err: error, reason: event.reason, regarding: event.regarding.name }, 'could not record an Event');
    }
  };
}

/** A Node as Events name it: with its name as uid, as the kubelet does and as `kubectl describe node` looks them up. */
export const nodeSubject = (name: string): EventSubject => ({ apiVersion: 'v1', kind: 'Node', name, uid: name });
