import { StrataError } from '@strata/api';

export interface BackoffOptions {
  /** The first delay. */
  readonly baseDelayMs: number;
  /** No delay is longer; it doubles up to here and stays. */
  readonly maxDelayMs: number;
  /**
   * An attempt that ran at least this long before it failed wipes the
   * failures before it (the kubelet forgets a crash loop after 10 min of
   * running); without it only reset() does.
   */
  readonly resetAfterMs?: number;
}

export class BackoffConfigError extends StrataError {}

/**
 * Exponential back-off for one thing that keeps failing: baseDelayMs,
 * 2 × baseDelayMs, 4 × baseDelayMs, … capped at maxDelayMs, until reset.
 */
export class Backoff {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly resetAfterMs: number;
  #failures = 0;

  constructor(options: BackoffOptions) {
    this.baseDelayMs = options.baseDelayMs;
    this.maxDelayMs = options.maxDelayMs;
    this.resetAfterMs = options.resetAfterMs ?? Number.POSITIVE_INFINITY;
    if (!(this.baseDelayMs > 0) || !(this.maxDelayMs >= this.baseDelayMs) || !(this.resetAfterMs > 0)) {
      throw new BackoffConfigError('the back-off needs 0 < baseDelayMs <= maxDelayMs and resetAfterMs > 0', {
        baseDelayMs: this.baseDelayMs,
        maxDelayMs: this.maxDelayMs,
        resetAfterMs: this.resetAfterMs,
      });
    }
  }

  /**
   * The delay before the next attempt; each call counts one more failure.
   * `ranForMs` is how long the attempt that just failed had run, for
   * resetAfterMs.
   */
  next(ranForMs = 0): number {
    if (ranForMs >= this.resetAfterMs) this.#failures = 0;
    const failures = this.#failures;
    this.#failures += 1;
    // 2 ** failures overflows to Infinity long after the cap, so Math.min stays exact.
    return Math.min(this.baseDelayMs * 2 ** failures, this.maxDelayMs);
  }

  /** Forgets the failures: the next one waits baseDelayMs again. */
  reset(): void {
    this.#failures = 0;
  }

  /** Failures counted since the last reset (by reset() or by a long run). */
  get failures(): number {
    return this.#failures;
  }
}
