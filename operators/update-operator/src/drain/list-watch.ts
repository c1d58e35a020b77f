import { ListWatch, Watch, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { ExponentialBackoffRateLimiter } from '@strata/kube';

export type ChangeType = 'add' | 'update' | 'delete';

export interface RestartingListWatchOptions<T extends KubernetesObject> {
  readonly kubeConfig: KubeConfig;
  /** The collection's API path, e.g. /api/v1/nodes. */
  readonly path: string;
  readonly list: () => Promise<KubernetesListObject<T>>;
  readonly fieldSelector?: string;
  readonly onChange: (type: ChangeType, object: T) => void;
  /** Told of every failed list or watch, before the restart. */
  readonly onError: (error: unknown) => void;
  readonly restartBaseDelayMs?: number;
  readonly restartMaxDelayMs?: number;
}

const KEY = 'informer';

/**
 * An informer (list, then watch from the list's resourceVersion) that keeps
 * going: the client library's ListWatch stops at the first failed list or
 * watch, this one starts it again with exponential back-off.
 */
export class RestartingListWatch<T extends KubernetesObject> {
  readonly #options: RestartingListWatchOptions<T>;
  readonly #informer: ListWatch<T>;
  readonly #backoff: ExponentialBackoffRateLimiter;
  #stopped = true;
  #timer: NodeJS.Timeout | undefined;
  #synced = false;
  #onSynced: (() => void)[] = [];

  constructor(options: RestartingListWatchOptions<T>) {
    this.#options = options;
    this.#backoff = new ExponentialBackoffRateLimiter({ baseDelayMs: options.restartBaseDelayMs ?? 500, maxDelayMs: options.restartMaxDelayMs ?? 30_000 });
    const list = async (): Promise<KubernetesListObject<T>> => {
      const result = await options.list();
      this.#backoff.forget(KEY);
      this.#synced = true;
      for (const resolve of this.#onSynced.splice(0)) resolve();
      return result;
    };
    this.#informer = new ListWatch<T>(options.path, new Watch(options.kubeConfig), list, false, undefined, options.fieldSelector);
    this.#informer.on('add', (object) => options.onChange('add', object));
    this.#informer.on('update', (object) => {
      this.#backoff.forget(KEY);
      options.onChange('update', object);
    });
    this.#informer.on('delete', (object) => options.onChange('delete', object));
    this.#informer.on('error', (error: unknown) => this.#restartLater(error));
  }

  get synced(): boolean {
    return this.#synced;
  }

  /** Starts listing and watching; resolves once the first list is in (however many attempts that takes) or on stop. */
  async start(): Promise<void> {
    this.#stopped = false;
    const synced = this.whenSynced();
    this.#informer.start().catch((error: unknown) => this.#restartLater(error));
    await synced;
  }

  whenSynced(): Promise<void> {
    return this.#synced ? Promise.resolve() : new Promise((resolve) => this.#onSynced.push(resolve));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    for (const resolve of this.#onSynced.splice(0)) resolve();
    await this.#informer.stop();
  }

  get(name: string, namespace?: string): T | undefined {
    return this.#informer.get(name, namespace);
  }

  list(): readonly T[] {
    return this.#informer.list();
  }

  #restartLater(error: unknown): void {
    if (this.#stopped) return;
    this.#options.onError(error);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      if (this.#stopped) return;
      this.#informer.start().catch((failure: unknown) => this.#restartLater(failure));
    }, this.#backoff.when(KEY));
  }
}
