/**
 * Runs work one at a time per key, in the order it was queued; work under
 * different keys runs concurrently. Each caller sees its own outcome: a
 * failure does not stop the work queued behind it. A key's entry is dropped
 * once its last work settles, so many short-lived keys do not accumulate.
 */
export class KeyedSerialQueue {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(work);
    // The tail only orders the work; its failure belongs to the caller of `run`.
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Keys with work queued or running. */
  get size(): number {
    return this.#tails.size;
  }
}
