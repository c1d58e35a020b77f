import { ExponentialBackoffRateLimiter, type RateLimiter } from './rate-limiter.ts';

export interface WorkQueueOptions {
  /** Decides the delays of addRateLimited; client-go's 5 ms doubling to 1000 s by default. */
  readonly rateLimiter?: RateLimiter;
}

interface Delayed {
  readonly readyAt: number;
  readonly timer: NodeJS.Timeout;
}

/**
 * client-go's rate-limited work queue. A key queued twice is processed once;
 * a key re-added while a worker holds it is processed again after `done`, so
 * no key is ever processed by two workers at once.
 */
export class WorkQueue {
  readonly #rateLimiter: RateLimiter;
  readonly #queue: string[] = [];
  // Keys that need processing: queued, or re-added while processing.
  readonly #dirty = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #delayed = new Map<string, Delayed>();
  readonly #waiters: ((key: string | undefined) => void)[] = [];
  #shuttingDown = false;
  #drained: (() => void) | undefined;
  #drainedPromise: Promise<void> | undefined;

  constructor(options: WorkQueueOptions = {}) {
    this.#rateLimiter = options.rateLimiter ?? new ExponentialBackoffRateLimiter();
  }

  /** Keys waiting for a worker (not those being processed or delayed). */
  get length(): number {
    return this.#queue.length;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  add(key: string): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (this.#processing.has(key)) return;
    this.#enqueue(key);
  }

  /** Adds `key` once `delayMs` has passed; an earlier pending add of the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.#shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const readyAt = Date.now() + delayMs;
    const pending = this.#delayed.get(key);
    if (pending !== undefined) {
      if (pending.readyAt <= readyAt) return;
      clearTimeout(pending.timer);
    }
    const timer = setTimeout(() => {
      this.#delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.#delayed.set(key, { readyAt, timer });
  }

  /** Re-adds `key` after its rate limiter's back-off, typically because processing it failed. */
  addRateLimited(key: string): void {
    if (this.#shuttingDown) return;
    this.addAfter(key, this.#rateLimiter.when(key));
  }

  /** Resets the back-off of `key`, typically after it was processed successfully. */
  forget(key: string): void {
    this.#rateLimiter.forget(key);
  }

  retries(key: string): number {
    return this.#rateLimiter.retries(key);
  }

  /**
   * The next key to process, waiting for one if need be; undefined once the
   * queue is shutting down and empty. The caller must call `done(key)`.
   */
  get(): Promise<string | undefined> {
    const key = this.#take();
    if (key !== undefined || this.#shuttingDown) return Promise.resolve(key);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Ends the processing of `key`; if it was re-added meanwhile it is queued again now. */
  done(key: string): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key)) this.#enqueue(key);
    this.#checkDrained();
  }

  /**
   * Stops accepting keys and drops delayed ones; workers still receive the keys
   * already queued. Resolves once every queued and in-flight key is done.
   */
  shutDown(): Promise<void> {
    if (!this.#shuttingDown) {
      this.#shuttingDown = true;
      for (const { timer } of this.#delayed.values()) clearTimeout(timer);
      this.#delayed.clear();
      this.#drainedPromise = new Promise((resolve) => (this.#drained = resolve));
      // Waiting workers only wait because the queue is empty: release them.
      for (const waiter of this.#waiters.splice(0)) waiter(undefined);
      this.#checkDrained();
    }
    return this.#drainedPromise ?? Promise.resolve();
  }

  #enqueue(key: string): void {
    const waiter = this.#waiters.shift();
    if (waiter === undefined) {
      this.#queue.push(key);
      return;
    }
    this.#dirty.delete(key);
    this.#processing.add(key);
    waiter(key);
  }

  #take(): string | undefined {
    const key = this.#queue.shift();
    if (key === undefined) return undefined;
    this.#dirty.delete(key);
    this.#processing.add(key);
    return key;
  }

  #checkDrained(): void {
    if (this.#shuttingDown && this.#queue.length === 0 && this.#processing.size === 0) this.#drained?.();
  }
}

export type WorkHandler = (key: string) => Promise<void> | void;

export interface RunWorkersOptions {
  /** Told of every failure before the key is re-queued with back-off. */
  readonly onError: (error: unknown, key: string) => void;
}

/**
 * Runs `workers` loops that take keys from `queue` and hand them to `handler`.
 * A key whose handler throws is re-queued rate-limited; one that succeeds has
 * its back-off forgotten. Resolves once the queue has shut down and drained.
 */
export async function runWorkers(
  queue: WorkQueue,
  workers: number,
  handler: WorkHandler,
  options: RunWorkersOptions,
): Promise<void> {
  const loop = async (): Promise<void> => {
    for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
      try {
        await handler(key);
        queue.forget(key);
      } catch (error) {
        queue.addRateLimited(key);
        options.onError(error, key);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, loop));
}
