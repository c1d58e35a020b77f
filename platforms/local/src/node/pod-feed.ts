import type { CoreV1Api, KubeConfig, V1Pod } from '@kubernetes/client-node';
import { Informer } from '@strata/kube';
import type { ApiRequestMetrics } from './api-metrics.ts';

/** What a node hears about the pods bound to it. */
export interface PodEvents {
  /** A pod bound to the node appeared or changed. */
  upsert(pod: V1Pod): void;
  /** A pod bound to the node is gone from the API. */
  remove(pod: V1Pod): void;
}

/** The pods bound to nodes, from one watch shared by any number of nodes. */
export interface PodFeed {
  /** Delivers the node's pods known so far at once, then every change, until the returned function is called. */
  subscribe(nodeName: string, events: PodEvents): () => void;
  /** The node's pods as last seen. */
  pods(nodeName: string): V1Pod[];
}

export interface InformerPodFeedOptions {
  /** Who watches: a node itself (fieldSelector spec.nodeName=<name>) or, for a fleet, someone who may watch every pod. */
  readonly kubeConfig: KubeConfig;
  /** Lists through the keep-alive transport of the same identity. */
  readonly core: CoreV1Api;
  readonly fieldSelector: string;
  readonly metrics?: ApiRequestMetrics;
  readonly onError: (error: unknown) => void;
}

const nodeOf = (pod: V1Pod): string | undefined => pod.spec?.nodeName ?? undefined;
const uidOf = (pod: V1Pod): string => pod.metadata?.uid ?? '';

/**
 * A pod informer (list, then watch from its resourceVersion, relisting when
 * it is too old) indexed by node name, for one node or for a whole fleet.
 */
export class InformerPodFeed implements PodFeed {
  readonly #informer: Informer<V1Pod>;
  readonly #byNode = new Map<string, Map<string, V1Pod>>();
  readonly #subscribers = new Map<string, PodEvents>();

  constructor(options: InformerPodFeedOptions) {
    const { core, metrics } = options;
    // A kubelet keeps watching its pods whatever fails, with back-off (1 s doubling to 30 s, the informer's default).
    this.#informer = new Informer<V1Pod>({
      kubeConfig: options.kubeConfig,
      path: '/api/v1/pods',
      list: (selectors) => core.listPodForAllNamespaces(selectors),
      fieldSelector: options.fieldSelector,
      onChange: (change, pod) => (change === 'delete' ? this.#remove(pod) : this.#upsert(pod)),
      onWatchConnected: () => metrics?.record({ verb: 'watch', resource: 'pods' }, 200),
      onError: (error, retryInMs) => {
        if (retryInMs !== undefined) metrics?.record({ verb: 'watch', resource: 'pods' }, 'network');
        options.onError(error);
      },
    });
  }

  /** Resolves once the first list is in (false if stopped first). */
  start(): Promise<boolean> {
    return this.#informer.start();
  }

  stop(): Promise<void> {
    return this.#informer.stop();
  }

  subscribe(nodeName: string, events: PodEvents): () => void {
    this.#subscribers.set(nodeName, events);
    for (const pod of this.pods(nodeName)) events.upsert(pod);
    return () => {
      if (this.#subscribers.get(nodeName) === events) this.#subscribers.delete(nodeName);
    };
  }

  pods(nodeName: string): V1Pod[] {
    return [...(this.#byNode.get(nodeName)?.values() ?? [])];
  }

  #upsert(pod: V1Pod): void {
    const node = nodeOf(pod);
    if (node === undefined || node === '') return;
    let pods = this.#byNode.get(node);
    if (pods === undefined) {
      pods = new Map();
      this.#byNode.set(node, pods);
    }
    pods.set(uidOf(pod), pod);
    this.#subscribers.get(node)?.upsert(pod);
  }

  #remove(pod: V1Pod): void {
    const node = nodeOf(pod);
    if (node === undefined || node === '') return;
    const pods = this.#byNode.get(node);
    pods?.delete(uidOf(pod));
    if (pods?.size === 0) this.#byNode.delete(node);
    this.#subscribers.get(node)?.remove(pod);
  }
}
