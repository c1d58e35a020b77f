/**
 * Timers that can all be cancelled at once: when a machine goes down, the
 * work its daemons had scheduled must never resume, so every pending wait
 * resolves false instead of hanging or firing late.
 */
export class CancellableDelays {
  readonly #pending = new Map<NodeJS.Timeout, (elapsed: boolean) => void>();

  /**
   * Resolves true once `ms` have passed, false if cancelled first. Zero
   * resolves at once without a timer so that zero-delay timings need no clock.
   * A background wait does not keep the process alive by itself.
   */
  wait(ms: number, options: { readonly background?: boolean } = {}): Promise<boolean> {
    if (ms <= 0) {
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(timer);
        resolve(true);
      }, ms);
      if (options.background === true) {
        timer.unref();
      }
      this.#pending.set(timer, resolve);
    });
  }

  cancelAll(): void {
    for (const [timer, resolve] of this.#pending) {
      clearTimeout(timer);
      resolve(false);
    }
    this.#pending.clear();
  }
}
