// The browser side of the one stream per tab: components subscribe to resources, the hub keeps exactly one
// EventSource open for all of them, reopened with the new list when the set of resources changes.
import {
  isEventOf,
  RESOURCE_KINDS,
  WATCH_PATH,
  watchEventSchema,
  type EventOf,
  type ResourceKind,
  type WatchEvent,
} from '../shared/watch-protocol.ts';

type Listener = (event: WatchEvent) => void;

export class WatchHub {
  readonly #listeners = new Map<ResourceKind, Set<Listener>>();
  /** The node each node-scoped kind is subscribed for (the node page's). */
  readonly #nodes = new Map<ResourceKind, string>();
  #source: EventSource | undefined;
  #query = '';
  #closed = false;
  #reconcileScheduled = false;
  /**
   * A listener has come since the stream was opened. It needs its resource's snapshot, which the server sends only
   * when a stream opens: a page that replaces another subscribing to the same kinds (a list, then one of its
   * objects) would otherwise wait for one that never comes.
   */
  #listenerAdded = false;

  /** `node`: the node a node-scoped kind (nodedetail, nodepods, nodeevents) is about; one node per tab at a time. */
  subscribe<K extends ResourceKind>(kind: K, listener: (event: EventOf<K>) => void, node?: string): () => void {
    const subscribed = this.#nodes.get(kind);
    if (node !== undefined && subscribed !== undefined && subscribed !== node)
      throw new Error(`${kind} is already subscribed for node ${subscribed}, not ${node}`);
    if (node !== undefined) this.#nodes.set(kind, node);
    const listeners = this.#listeners.get(kind) ?? new Set<Listener>();
    const deliver: Listener = (event) => {
      if (isEventOf(kind, event)) listener(event);
    };
    listeners.add(deliver);
    this.#listeners.set(kind, listeners);
    this.#listenerAdded = true;
    this.#scheduleReconcile();
    return () => {
      listeners.delete(deliver);
      if (listeners.size === 0) {
        this.#listeners.delete(kind);
        this.#nodes.delete(kind);
      }
      this.#scheduleReconcile();
    };
  }

  close(): void {
    this.#closed = true;
    this.#source?.close();
    this.#source = undefined;
  }

  /**
   * The components of a page subscribe one after another in the same commit (the Overview: nodes, EtcdClusters,
   * Events); the stream is reopened once for all of them, after the commit, rather than once per subscriber.
   */
  #scheduleReconcile(): void {
    if (this.#reconcileScheduled) return;
    this.#reconcileScheduled = true;
    queueMicrotask(() => {
      this.#reconcileScheduled = false;
      this.#reconcile();
    });
  }

  #reconcile(): void {
    if (this.#closed) return;
    const kinds = RESOURCE_KINDS.filter((kind) => this.#listeners.has(kind)).join(',');
    const nodes = new Set(this.#nodes.values());
    if (nodes.size > 1) throw new Error(`one node per tab: subscribed for ${[...nodes].join(', ')}`);
    const [node] = nodes;
    const query =
      kinds === '' ? '' : new URLSearchParams({ resources: kinds, ...(node === undefined ? {} : { node }) }).toString();
    if (query === this.#query && !(this.#listenerAdded && query !== '')) return;
    this.#listenerAdded = false;
    this.#query = query;
    this.#source?.close();
    this.#source = undefined;
    if (query === '') return;
    const source = new EventSource(`${WATCH_PATH}?${query}`);
    source.onmessage = (message: MessageEvent<string>) => this.#deliver(message.data);
    // The browser reconnects a broken stream by itself; it gives up only when the console refuses it (a session
    // that has ended answers 401), and then the pages must say so rather than show stale rows as live.
    source.onerror = () => {
      if (source.readyState !== EventSource.CLOSED || this.#source !== source) return;
      for (const [resource, listeners] of this.#listeners)
        for (const listener of listeners)
          listener({
            type: 'error',
            resource,
            message: 'the live stream was refused: reload the page or sign in again',
          });
    };
    this.#source = source;
  }

  #deliver(data: string): void {
    const parsed = watchEventSchema.safeParse(JSON.parse(data));
    if (!parsed.success) throw new Error(`the console's watch stream sent an unknown event: ${parsed.error.message}`);
    const event = parsed.data;
    // The API server no longer takes the token: the server has closed the stream; sign in again.
    if (event.type === 'error' && event.status === 401) {
      this.close();
      window.location.assign('/login');
      return;
    }
    for (const listener of this.#listeners.get(event.resource) ?? []) listener(event);
  }
}
