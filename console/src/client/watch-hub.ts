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

/**
 * The query parameters a kind is about: `{ node }` for the node-scoped kinds, `{ group, plural }` for
 * `customresources`. One value per parameter per tab at a time (one node page, one CRD's list).
 */
export type StreamScope = Readonly<Record<string, string>>;

export class WatchHub {
  readonly #listeners = new Map<ResourceKind, Set<Listener>>();
  /** What each scoped kind is subscribed for (the node page's node, the list's CRD). */
  readonly #scopes = new Map<ResourceKind, StreamScope>();
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

  /** `scope`: what a scoped kind is about (StreamScope); one node and one CRD per tab at a time. */
  subscribe<K extends ResourceKind>(kind: K, listener: (event: EventOf<K>) => void, scope?: StreamScope): () => void {
    const subscribed = this.#scopes.get(kind);
    if (scope !== undefined && subscribed !== undefined && JSON.stringify(subscribed) !== JSON.stringify(scope))
      throw new Error(`${kind} is already subscribed for ${JSON.stringify(subscribed)}, not ${JSON.stringify(scope)}`);
    if (scope !== undefined) this.#scopes.set(kind, scope);
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
        this.#scopes.delete(kind);
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
    const parameters: Record<string, string> = {};
    for (const scope of this.#scopes.values())
      for (const [name, value] of Object.entries(scope)) {
        if (parameters[name] !== undefined && parameters[name] !== value)
          throw new Error(`one ${name} per tab: subscribed for ${parameters[name]} and ${value}`);
        parameters[name] = value;
      }
    const query = kinds === '' ? '' : new URLSearchParams({ resources: kinds, ...parameters }).toString();
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
