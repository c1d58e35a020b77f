// Back-off per work-queue key: after a failure the key's next attempt waits for its delay, whatever informer events
// arrive meanwhile; a success or a deleted object forgets it.
import { Backoff } from '@strata/kube';

export class KeyedBackoff {
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #backoffs = new Map<string, Backoff>();
  readonly #notBefore = new Map<string, number>();

  constructor(options: { readonly baseDelayMs: number; readonly maxDelayMs: number }) {
    this.#baseDelayMs = options.baseDelayMs;
    this.#maxDelayMs = options.maxDelayMs;
  }

  /** When the key may be tried again (epoch ms); 0 when it has not failed. */
  notBefore(key: string): number {
    return this.#notBefore.get(key) ?? 0;
  }

  /** Records a failed attempt that took `elapsedMs`; returns how long the next one waits. */
  failed(key: string, elapsedMs: number): number {
    let backoff = this.#backoffs.get(key);
    if (backoff === undefined) {
      backoff = new Backoff({ baseDelayMs: this.#baseDelayMs, maxDelayMs: this.#maxDelayMs });
      this.#backoffs.set(key, backoff);
    }
    const retryInMs = backoff.next(elapsedMs);
    this.#notBefore.set(key, Date.now() + retryInMs);
    return retryInMs;
  }

  /** A success, or an object that is gone: the next failure starts from the first delay again. */
  forget(key: string): void {
    this.#backoffs.delete(key);
    this.#notBefore.delete(key);
  }
}
