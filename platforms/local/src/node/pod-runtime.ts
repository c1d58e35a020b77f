import type { KubeConfig, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';

/** What a simulated node knows about itself, handed to the runtime that runs its pods. */
export interface NodeContext {
  readonly nodeName: string;
  /** The node's InternalIP. */
  readonly nodeIP: string;
  /** Credentials of the node (user system:node:<name>): the Node authorizer lets it read its pods' secrets, config maps and service-account tokens. */
  readonly kubeConfig: KubeConfig;
  /** A directory for this node's state (pod volumes, logs). */
  readonly stateDir: string;
}

/** The status a runtime reports for a pod; the node writes it to the pod's status subresource. */
export interface PodRuntimeStatus {
  readonly phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  readonly ready: boolean;
  readonly podIP?: string;
  readonly startTime?: Date;
  readonly containerStatuses?: readonly V1ContainerStatus[];
  readonly reason?: string;
  readonly message?: string;
}

/** What the kubelet API may ask of a container's log (the query parameters of /containerLogs, validated). */
export interface ContainerLogRequest {
  readonly follow: boolean;
  readonly previous: boolean;
  readonly timestamps: boolean;
  readonly tailLines?: number;
  readonly since?: Date;
  readonly limitBytes?: number;
  readonly stream?: 'stdout' | 'stderr';
}

/**
 * A container's log as a runtime has it: `read` opens it (a log that cannot be read rejects) and gives the chunks to
 * send, which must be read to their end or returned (following ends with the container, or when `signal`
 * aborts), or why there is none, in the kubelet's words (`unknown-pod` and `unknown-container` answer 404,
 * `unavailable` 400, as the kubelet answers them).
 */
export type ContainerLogAnswer =
  | { readonly kind: 'log'; readonly read: (signal: AbortSignal) => Promise<AsyncIterable<Buffer>> }
  | { readonly kind: 'unknown-pod' }
  | { readonly kind: 'unknown-container' }
  | { readonly kind: 'unavailable'; readonly message: string };

/**
 * Runs the pods bound to a node. A node tries its runtimes in order and gives
 * each pod to the first whose `handles` accepts it.
 */
export interface PodRuntime {
  handles(pod: V1Pod): boolean;
  /** Starts the pod; `report` may be called any number of times as its status changes. */
  start(pod: V1Pod, node: NodeContext, report: (status: PodRuntimeStatus) => void): Promise<void>;
  /** Stops the pod: SIGTERM, the grace period, then SIGKILL. Resolves when it is gone. */
  stop(podUid: string, gracePeriodSeconds: number): Promise<void>;
  /** Stops every pod at once (a reboot or shutdown of the node). */
  stopAll(gracePeriodSeconds: number): Promise<void>;
  /** The log of a container of a pod this runtime runs; a runtime without logs leaves it out. */
  containerLog?(
    namespace: string,
    podName: string,
    container: string,
    request: ContainerLogRequest,
  ): ContainerLogAnswer;
}
