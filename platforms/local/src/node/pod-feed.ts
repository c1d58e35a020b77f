import { ListWatch, Watch, type CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
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

const FIRST_RESTART_MS = 1_000;
const MAX_RESTART_MS = 30_000;

const nodeOf = (pod: V1Pod): string | undefined => pod.spec?.nodeName ?? undefined;
const uidOf = (pod: V1Pod): string => pod.metadata?.uid ?? '';

/**
 * A pod informer (list, then watch from its resourceVersion, relisting when
 * it is too old) indexed by node name, for one node or for a whole fleet.
 */
export class InformerPodFeed implements PodFeed {
  readonly #options: InformerPodFeedOptions;
  readonly #informer: ListWatch<V1Pod>;
  readonly #byNode = new Map<string, Map<string, V1Pod>>();
  readonly #subscribers = new Map<string, PodEvents>();
  #stopped = false;
  #restartMs = FIRST_RESTART_MS;
  #restartTimer: NodeJS.Timeout | undefined;

  constructor(options: InformerPodFeedOptions) {
    this.#options = options;
    const { core, fieldSelector } = options;
    this.#informer = new ListWatch<V1Pod>(
      '/api/v1/pods',
      new Watch(options.kubeConfig),
      () => core.listPodForAllNamespaces({ fieldSelector }),
      false,
      undefined,
      fieldSelector,
    );
    this.#informer.on('add', (pod) => this.#upsert(pod));
    this.#informer.on('update', (pod) => this.#upsert(pod));
    this.#informer.on('delete', (pod) => this.#remove(pod));
    this.#informer.on('connect', () => {
      options.metrics?.record({ verb: 'watch', resource: 'pods' }, 200);
    });
    this.#informer.on('error', (error: unknown) => this.#restartLater(error));
  }

  /** Resolves once the first list is in. */
  async start(): Promise<void> {
    this.#stopped = false;
    await this.#informer.start();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#restartTimer);
    await this.#informer.stop();
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
    this.#restartMs = FIRST_RESTART_MS;
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

  /** The client's informer gives up on an error; a kubelet's keeps trying, with backoff. */
  #restartLater(error: unknown): void {
    if (this.#stopped) return;
    this.#options.metrics?.record({ verb: 'watch', resource: 'pods' }, 'network');
    this.#options.onError(error);
    clearTimeout(this.#restartTimer);
    this.#restartTimer = setTimeout(() => {
      if (this.#stopped) return;
      this.#informer.start().catch((restartError: unknown) => this.#restartLater(restartError));
    }, this.#restartMs);
    this.#restartMs = Math.min(MAX_RESTART_MS, this.#restartMs * 2);
  }
}
