import { Watch, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { StrataError } from '@strata/api';
import { isGone } from './api-errors.ts';
import { Backoff, type BackoffOptions } from './backoff.ts';

export type InformerChange = 'add' | 'update' | 'delete';

/** The selectors the informer watches with; the list function must list with the same ones. */
export interface InformerSelectors {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

export type InformerState =
  /** Constructed, not started. */
  | { readonly phase: 'new' }
  /** Listing for the first time. */
  | { readonly phase: 'starting' }
  /** The cache holds a complete list, kept current by a watch. */
  | { readonly phase: 'synced' }
  /** A list or watch failed; the next attempt comes after `delayMs`. The cache keeps what it had. */
  | { readonly phase: 'restarting'; readonly error: unknown; readonly delayMs: number; readonly failures: number }
  /** Stopped for good: no request, no timer. */
  | { readonly phase: 'stopped' };

export interface InformerOptions<T extends KubernetesObject> {
  readonly kubeConfig: KubeConfig;
  /** The collection's API path, e.g. /api/v1/nodes or /apis/<group>/<version>/namespaces/<namespace>/<plural>. */
  readonly path: string;
  /** Lists the collection; pass the selectors on (e.g. `(selectors) => core.listNode(selectors)`), so the list and the watch see the same objects. */
  readonly list: (selectors: InformerSelectors) => Promise<KubernetesListObject<T>>;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /**
   * Keeps only what the consumer reads of each listed or watched object, before it is cached or handed to onChange:
   * a cache of whole Nodes holds their images, conditions and heartbeats, most of which a controller never reads.
   * The result must keep `metadata.name`, `namespace` and `resourceVersion` (the cache's key and its change check).
   */
  readonly project?: (object: T) => T;
  /** Told of every change to the cache, after the cache has it. A relist reports what changed meanwhile, and nothing for what did not. */
  readonly onChange?: (change: InformerChange, object: T) => void;
  readonly onStateChange?: (state: InformerState) => void;
  /**
   * Told of every failed list or watch, with the delay before the next
   * attempt, and of any exception an onChange or onStateChange threw (with
   * no delay: nothing restarts for it).
   */
  readonly onError: (error: unknown, retryInMs: number | undefined) => void;
  /** Called each time the API server accepts a watch. */
  readonly onWatchConnected?: () => void;
  /** The restart back-off; default 1 s doubling to 30 s (client-node's own reconnect delays), reset by a successful list or any watch event. */
  readonly backoff?: BackoffOptions;
}

/** A failure the informer itself detects: an ERROR event in the watch (a Status), a watch that ended at once, a throwing handler. */
export class InformerError extends StrataError {
  /** The Status code of a watch ERROR event (410: the resourceVersion is too old). */
  readonly statusCode: number | undefined;

  constructor(message: string, context: Record<string, unknown> & { statusCode?: number }, options?: ErrorOptions) {
    super(message, context, options);
    this.statusCode = context.statusCode;
  }
}

const DEFAULT_BACKOFF: BackoffOptions = { baseDelayMs: 1_000, maxDelayMs: 30_000 };
/** A watch that ends cleanly this soon without delivering anything counts as a failure, so that a server closing every watch at once is not asked again in a tight loop. */
const QUICK_END_MS = 1_000;

const keyOf = (name: string, namespace: string | undefined): string => `${namespace ?? ''}/${name}`;
const objectKey = (object: KubernetesObject): string => keyOf(object.metadata?.name ?? '', object.metadata?.namespace);

/** client-node's Watch gives up on a watch that delivered nothing for its request timeout; that is a quiet collection, not a failure. */
function isIdleTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === 'TimeoutError';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isKubernetesObject(value: unknown): value is KubernetesObject {
  return isObject(value) && isObject(value.metadata);
}

/** The Status object of a watch ERROR event, as far as it is one. */
function watchStatusError(path: string, value: unknown): InformerError {
  const status = isObject(value) ? value : {};
  const code = typeof status.code === 'number' ? status.code : undefined;
  const reason = typeof status.reason === 'string' ? status.reason : undefined;
  const message = typeof status.message === 'string' ? status.message : 'no message';
  return new InformerError(
    `watch ${path} failed: ${code ?? 'no code'} ${reason ?? ''} ${message}`.replace(/ +/g, ' '),
    {
      path,
      ...(code === undefined ? {} : { statusCode: code }),
      reason,
      serverMessage: message,
    },
  );
}

/**
 * An informer that keeps going: it lists, watches from the list's
 * resourceVersion and keeps a cache; after any failed list or watch it tries
 * again with back-off (client-node's ListWatch stops at the first error),
 * resuming the watch from the last resourceVersion it saw, and relisting
 * only when there is none or the server answers 410 Gone. A relist reconciles
 * the cache, reporting objects deleted meanwhile as deletes.
 */
export class Informer<T extends KubernetesObject> {
  readonly #options: InformerOptions<T>;
  readonly #selectors: InformerSelectors;
  readonly #watch: Watch;
  readonly #backoff: Backoff;
  readonly #cache = new Map<string, T>();
  readonly #stop = new AbortController();
  readonly #onSynced: ((synced: boolean) => void)[] = [];
  #state: InformerState = { phase: 'new' };
  #hasSynced = false;
  #resourceVersion: string | undefined;
  #goneBefore = false;
  #loop: Promise<void> = Promise.resolve();

  constructor(options: InformerOptions<T>) {
    this.#options = options;
    this.#selectors = {
      ...(options.labelSelector === undefined ? {} : { labelSelector: options.labelSelector }),
      ...(options.fieldSelector === undefined ? {} : { fieldSelector: options.fieldSelector }),
    };
    this.#watch = new Watch(options.kubeConfig);
    this.#backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF);
  }

  get state(): InformerState {
    return this.#state;
  }

  /** Whether the cache has held a complete list at least once (it keeps serving while restarting). */
  get hasSynced(): boolean {
    return this.#hasSynced;
  }

  /** Starts listing and watching; resolves as whenSynced() does. An informer starts once. */
  start(): Promise<boolean> {
    if (this.#state.phase !== 'new') {
      throw new InformerError(`informer on ${this.#options.path} was already started`, {
        path: this.#options.path,
        phase: this.#state.phase,
      });
    }
    this.#setState({ phase: 'starting' });
    this.#loop = this.#run();
    return this.whenSynced();
  }

  /** Resolves true once the first list is in (however many attempts that takes), false if the informer is stopped first. */
  whenSynced(): Promise<boolean> {
    if (this.#hasSynced) return Promise.resolve(true);
    if (this.#state.phase === 'stopped') return Promise.resolve(false);
    return new Promise((resolve) => this.#onSynced.push(resolve));
  }

  /**
   * Stops for good: cancels a pending restart and the watch. Resolves when
   * nothing is left running; a list or watch request already on its way is
   * awaited (its answer is discarded), as it cannot be called back.
   */
  async stop(): Promise<void> {
    this.#stop.abort();
    if (this.#state.phase === 'new') this.#finish();
    await this.#loop;
  }

  get(name: string, namespace?: string): T | undefined {
    return this.#cache.get(keyOf(name, namespace));
  }

  /** The cached objects, of one namespace if given. */
  list(namespace?: string): T[] {
    const all = [...this.#cache.values()];
    return namespace === undefined ? all : all.filter((object) => object.metadata?.namespace === namespace);
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      try {
        if (this.#resourceVersion === undefined) await this.#relist();
        if (signal.aborted) break;
        await this.#watchOnce(signal);
      } catch (error) {
        if (signal.aborted) break;
        const gone = isGone(error);
        if (gone) this.#resourceVersion = undefined;
        // A resourceVersion too old after a disconnection is expected: relist at once, as client-go does, unless the relist just before met the same.
        const delayMs = gone && !this.#goneBefore ? 0 : this.#backoff.next();
        this.#goneBefore = gone;
        this.#setState({ phase: 'restarting', error, delayMs, failures: this.#backoff.failures });
        this.#report(error, delayMs);
        try {
          await sleep(delayMs, undefined, { signal });
        } catch (sleepError) {
          if (!signal.aborted) throw sleepError;
        }
      }
    }
    this.#finish();
  }

  async #relist(): Promise<void> {
    const list = await this.#options.list(this.#selectors);
    if (this.#stop.signal.aborted) return;
    const items = list.items;
    const listed = new Set(items.map(objectKey));
    for (const [key, object] of [...this.#cache]) {
      if (listed.has(key)) continue;
      this.#cache.delete(key);
      this.#changed('delete', object);
    }
    for (const item of items) this.#upsert(item);
    this.#resourceVersion = list.metadata?.resourceVersion ?? '';
    this.#backoff.reset();
    this.#synced();
  }

  /** Resolves when the watch ends cleanly (the server's or the client's timeout), rejects when it fails. */
  #watchOnce(signal: AbortSignal): Promise<void> {
    const { path } = this.#options;
    const openedAt = performance.now();
    return new Promise<void>((resolve, reject) => {
      let controller: AbortController | undefined;
      let ended = false;
      let delivered = false;
      let failure: InformerError | undefined;
      const abort = (): void => controller?.abort();
      signal.addEventListener('abort', abort, { once: true });
      const done = (error: unknown): void => {
        if (ended) return;
        ended = true;
        signal.removeEventListener('abort', abort);
        if (failure !== undefined) reject(failure);
        else if (error !== null && error !== undefined && !isIdleTimeout(error)) {
          reject(
            error instanceof Error
              ? error
              : new InformerError(`watch ${path} failed: ${JSON.stringify(error)}`, { path }),
          );
        } else if (!delivered && performance.now() - openedAt < QUICK_END_MS) {
          reject(
            new InformerError(`watch ${path} ended at once without delivering anything`, {
              path,
              resourceVersion: this.#resourceVersion,
            }),
          );
        } else resolve();
      };
      const onEvent = (type: string, object: unknown): void => {
        if (ended || signal.aborted) return;
        if (type === 'ERROR') {
          failure = watchStatusError(path, object);
          controller?.abort();
          return;
        }
        if (!isKubernetesObject(object)) return;
        delivered = true;
        this.#backoff.reset();
        this.#goneBefore = false;
        // An ADDED for a cached object is a re-watch from an older version (or from none); the cache decides add or update.
        if (type === 'ADDED' || type === 'MODIFIED') this.#upsert(object as T);
        else if (type === 'DELETED') this.#remove(object as T);
        const version = object.metadata?.resourceVersion;
        if (version !== undefined && version !== '') this.#resourceVersion = version;
      };
      const query = {
        ...this.#selectors,
        allowWatchBookmarks: true,
        ...(this.#resourceVersion === undefined || this.#resourceVersion === ''
          ? {}
          : { resourceVersion: this.#resourceVersion }),
      };
      this.#watch.watch(path, query, onEvent, done).then(
        (request) => {
          controller = request;
          if (ended) return;
          if (signal.aborted) {
            request.abort();
            return;
          }
          if (this.#state.phase === 'restarting') this.#synced();
          this.#call(() => this.#options.onWatchConnected?.());
        },
        (error: unknown) => done(error),
      );
    });
  }

  #upsert(received: T): void {
    const key = objectKey(received);
    const cached = this.#cache.get(key);
    const version = received.metadata?.resourceVersion;
    // An unchanged object keeps its identity, so that callers may key work by it.
    if (cached !== undefined && version !== undefined && cached.metadata?.resourceVersion === version) return;
    const object = this.#project(received);
    this.#cache.set(key, object);
    this.#changed(cached === undefined ? 'add' : 'update', object);
  }

  #remove(received: T): void {
    const key = objectKey(received);
    if (this.#cache.delete(key)) this.#changed('delete', this.#project(received));
  }

  #project(object: T): T {
    const { project } = this.#options;
    return project === undefined ? object : project(object);
  }

  #changed(change: InformerChange, object: T): void {
    this.#call(() => this.#options.onChange?.(change, object));
  }

  #synced(): void {
    // First the flag, then the callbacks: an onStateChange('synced') that reads hasSynced or list() must see the cache
    // as listed, or a consumer that refreshes on it shows nothing until the next change.
    const first = !this.#hasSynced;
    this.#hasSynced = true;
    this.#setState({ phase: 'synced' });
    if (first) for (const resolve of this.#onSynced.splice(0)) resolve(true);
  }

  #finish(): void {
    this.#setState({ phase: 'stopped' });
    for (const resolve of this.#onSynced.splice(0)) resolve(false);
  }

  #setState(state: InformerState): void {
    if (state.phase === this.#state.phase && state.phase !== 'restarting') return;
    this.#state = state;
    this.#call(() => this.#options.onStateChange?.(state));
  }

  #report(error: unknown, retryInMs: number | undefined): void {
    try {
      this.#options.onError(error, retryInMs);
    } catch (handlerError) {
      // Nowhere left to report it: let it surface as an uncaught exception rather than vanish.
      queueMicrotask(() => {
        throw handlerError;
      });
    }
  }

  /** Runs a caller's callback; what it throws goes to onError, since the watch would otherwise drop it. */
  #call(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.#report(
        new InformerError(
          `a callback of the informer on ${this.#options.path} threw`,
          { path: this.#options.path },
          { cause: error },
        ),
        undefined,
      );
    }
  }
}
