import { StrataError } from '@strata/api';

/** Decides how long a key that failed must wait before it is retried. */
export interface RateLimiter {
  /** The delay before the next retry of `key`; each call counts as one more failure. */
  when(key: string): number;
  /** Clears the failures of `key`, so its next failure waits the base delay again. */
  forget(key: string): void;
  /** How many failures of `key` have been counted since it was last forgotten. */
  retries(key: string): number;
}

export interface ExponentialBackoffOptions {
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
}

export class RateLimiterConfigError extends StrataError {}

/** client-go's per-item exponential limiter: base, 2×base, 4×base, … capped at max. */
export class ExponentialBackoffRateLimiter implements RateLimiter {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly #failures = new Map<string, number>();

  constructor(options: ExponentialBackoffOptions = {}) {
    this.baseDelayMs = options.baseDelayMs ?? 5;
    this.maxDelayMs = options.maxDelayMs ?? 1_000_000;
    if (!(this.baseDelayMs > 0) || !(this.maxDelayMs >= this.baseDelayMs)) {
      throw new RateLimiterConfigError('the back-off needs 0 < baseDelayMs <= maxDelayMs', {
        baseDelayMs: this.baseDelayMs,
        maxDelayMs: this.maxDelayMs,
      });
    }
  }

  when(key: string): number {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    // 2 ** failures overflows to Infinity long after the cap, so Math.min stays exact.
    return Math.min(this.baseDelayMs * 2 ** failures, this.maxDelayMs);
  }

  forget(key: string): void {
    this.#failures.delete(key);
  }

  retries(key: string): number {
    return this.#failures.get(key) ?? 0;
  }
}
