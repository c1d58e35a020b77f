import { Backoff, type BackoffOptions } from './backoff.ts';

/** Decides how long a key that failed must wait before it is retried. */
export interface RateLimiter {
  /** The delay before the next retry of `key`; each call counts as one more failure. */
  when(key: string): number;
  /** Clears the failures of `key`, so its next failure waits the base delay again. */
  forget(key: string): void;
  /** How many failures of `key` have been counted since it was last forgotten. */
  retries(key: string): number;
}

export type ExponentialBackoffOptions = Partial<Pick<BackoffOptions, 'baseDelayMs' | 'maxDelayMs'>>;

/** client-go's per-item exponential limiter: one Backoff per key (5 ms doubling to 1000 s unless configured). */
export class ExponentialBackoffRateLimiter implements RateLimiter {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly #backoffs = new Map<string, Backoff>();

  constructor(options: ExponentialBackoffOptions = {}) {
    this.baseDelayMs = options.baseDelayMs ?? 5;
    this.maxDelayMs = options.maxDelayMs ?? 1_000_000;
    // Refuses a bad configuration now rather than at the first failure.
    new Backoff({ baseDelayMs: this.baseDelayMs, maxDelayMs: this.maxDelayMs });
  }

  when(key: string): number {
    let backoff = this.#backoffs.get(key);
    if (backoff === undefined) {
      backoff = new Backoff({ baseDelayMs: this.baseDelayMs, maxDelayMs: this.maxDelayMs });
      this.#backoffs.set(key, backoff);
    }
    return backoff.next();
  }

  forget(key: string): void {
    this.#backoffs.delete(key);
  }

  retries(key: string): number {
    return this.#backoffs.get(key)?.failures ?? 0;
  }
}
