// Kubernetes Events (events.k8s.io/v1), as client-go's events recorder writes
// them: one Event per call, named after the object it regards, in that
// object's namespace (cluster-scoped objects' Events live in "default", where
// the kubelet puts a Node's). `kubectl describe` and `kubectl events` show
// them; core/v1 readers see the same objects (regarding as involvedObject,
// note as message, reportingController as reportingComponent).
import { randomBytes } from 'node:crypto';
import { EventsV1Api, V1MicroTime, type KubeConfig, type V1ObjectReference } from '@kubernetes/client-node';
import { kubernetesApiError } from './api-errors.ts';

/** The namespace of the Events of cluster-scoped objects (Nodes, UpdatePolicies). */
export const CLUSTER_EVENT_NAMESPACE = 'default';
/** The API server refuses a longer note. */
export const MAX_EVENT_NOTE_BYTES = 1024;
/** The API server refuses a longer reportingInstance, action or reason. */
const MAX_FIELD_LENGTH = 128;

/** The object an Event is about. */
export interface EventObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** A cluster-scoped object's Events go to CLUSTER_EVENT_NAMESPACE. */
  readonly namespace?: string;
  readonly uid: string;
}

export interface KubernetesEvent {
  readonly regarding: EventObject;
  /** A second object involved, e.g. the UpdatePolicy under which a Node was approved. */
  readonly related?: EventObject;
  readonly type: 'Normal' | 'Warning';
  /** Why, in UpperCamelCase (DrainStarted, RebootApproved); at most 128 characters. */
  readonly reason: string;
  /** What was done or failed, in UpperCamelCase (Drain, Approve); at most 128 characters. */
  readonly action: string;
  /** For people; cut to MAX_EVENT_NOTE_BYTES. */
  readonly note: string;
}

export interface EventRecorderOptions {
  /** Who reports, as a qualified name: "update.strata.dev/operator", "strata-update-agent". */
  readonly reportingController: string;
  /** Which instance of it: a pod name, a node name, a leader identity. */
  readonly reportingInstance: string;
}

/** A Node as Events name it: with its name as uid, as the kubelet does and as `kubectl describe node` looks them up. */
export const nodeEventObject = (name: string): EventObject => ({ apiVersion: 'v1', kind: 'Node', name, uid: name });

function truncate(note: string): string {
  if (Buffer.byteLength(note) <= MAX_EVENT_NOTE_BYTES) return note;
  // A cut inside a multi-byte character decodes to U+FFFD, which is dropped.
  return `${Buffer.from(note)
    .subarray(0, MAX_EVENT_NOTE_BYTES - 3)
    .toString('utf8')
    .replace(/\uFFFD$/, '')}...`;
}

function reference(object: EventObject): V1ObjectReference {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.name,
    uid: object.uid,
    ...(object.namespace === undefined ? {} : { namespace: object.namespace }),
  };
}

/** Writes Events through events.k8s.io/v1. */
export class EventRecorder {
  readonly #client: EventsV1Api;
  readonly #options: EventRecorderOptions;

  constructor(kubeConfig: KubeConfig, options: EventRecorderOptions) {
    this.#client = kubeConfig.makeApiClient(EventsV1Api);
    this.#options = options;
  }

  /**
   * Writes one Event and resolves with its name; a refusal rejects with a
   * KubernetesApiError. Events are a record for people: callers usually log
   * a failure and go on rather than retry at the expense of their work.
   */
  async record(event: KubernetesEvent): Promise<string> {
    const namespace = event.regarding.namespace ?? CLUSTER_EVENT_NAMESPACE;
    // As client-go names them: the object, a dot, a unique suffix (generateName may not end with the dot).
    const name = `${event.regarding.name.slice(0, 200)}.${Date.now().toString(16)}${randomBytes(4).toString('hex')}`;
    try {
      await this.#client.createNamespacedEvent({
        namespace,
        body: {
          apiVersion: 'events.k8s.io/v1',
          kind: 'Event',
          metadata: { name, namespace },
          eventTime: new V1MicroTime(),
          reportingController: this.#options.reportingController,
          reportingInstance: this.#options.reportingInstance.slice(0, MAX_FIELD_LENGTH),
          action: event.action.slice(0, MAX_FIELD_LENGTH),
          reason: event.reason.slice(0, MAX_FIELD_LENGTH),
          note: truncate(event.note),
          type: event.type,
          regarding: reference(event.regarding),
          ...(event.related === undefined ? {} : { related: reference(event.related) }),
        },
      });
    } catch (error) {
      throw kubernetesApiError({ verb: 'create', resource: 'events.events.k8s.io', namespace, name }, error);
    }
    return name;
  }
}
