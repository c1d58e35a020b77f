/**
 * Writes the latest value of each key, one write at a time per key, off the caller's path: `submit` returns at once;
 * a value submitted while its key's write is in flight waits, and a newer one replaces it (values in between are
 * never written, since only the latest counts). A failed write goes to `onError` with its key and value, and the
 * key's next value (if any) is still written. For a status a controller recomputes on each pass.
 */
export class KeyedLatestWriter<V> {
  readonly #write: (key: string, value: V) => Promise<void>;
  readonly #onError: (error: unknown, key: string, value: V) => void;
  readonly #pending = new Map<string, { readonly value: V }>();
  readonly #inFlight = new Map<string, Promise<void>>();

  constructor(
    write: (key: string, value: V) => Promise<void>,
    onError: (error: unknown, key: string, value: V) => void,
  ) {
    this.#write = write;
    this.#onError = onError;
  }

  submit(key: string, value: V): void {
    this.#pending.set(key, { value });
    if (!this.#inFlight.has(key)) this.#inFlight.set(key, this.#drain(key));
  }

  /** Drops the value waiting for `key` (its object is gone); a write in flight still finishes. */
  discard(key: string): void {
    this.#pending.delete(key);
  }

  /** Resolves once no write is waiting or in flight (every failure already reported to `onError`). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight.values());
  }

  async #drain(key: string): Promise<void> {
    // Starts on the next microtask, so that values submitted in the same turn are written once, as the last.
    await Promise.resolve();
    for (let value = this.#take(key); value !== undefined; value = this.#take(key)) {
      try {
        await this.#write(key, value.value);
      } catch (error) {
        this.#onError(error, key, value.value);
      }
    }
    this.#inFlight.delete(key);
  }

  #take(key: string): { readonly value: V } | undefined {
    const value = this.#pending.get(key);
    this.#pending.delete(key);
    return value;
  }
}
