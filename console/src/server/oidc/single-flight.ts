// One refresh per refresh token, however many requests need it at once: two tabs (or a page and its event stream)
// that present the same expiring session share one grant. Providers rotate refresh tokens and treat a second use of
// the old one as theft, revoking the whole grant, so a request that still carries the old cookie a moment after
// the refresh is answered from the same result instead of refreshing again.

export class SingleFlight<T> {
  readonly #flights = new Map<string, { readonly result: Promise<T>; settledAt: number | undefined }>();
  readonly #graceMs: number;
  readonly #now: () => number;

  /** `graceMs`: how long a successful result is still handed to late callers with the same key. */
  constructor(graceMs: number, now: () => number = Date.now) {
    this.#graceMs = graceMs;
    this.#now = now;
  }

  run(key: string, task: () => Promise<T>): Promise<T> {
    this.#prune();
    const flight = this.#flights.get(key);
    if (flight !== undefined) return flight.result;
    const entry: { result: Promise<T>; settledAt: number | undefined } = { result: task(), settledAt: undefined };
    this.#flights.set(key, entry);
    entry.result.then(
      () => {
        entry.settledAt = this.#now();
      },
      () => {
        // A failure is not kept: the next request tries again (or signs out if the token has run out).
        if (this.#flights.get(key) === entry) this.#flights.delete(key);
      },
    );
    return entry.result;
  }

  /** Keys in flight or within their grace period. */
  get size(): number {
    this.#prune();
    return this.#flights.size;
  }

  #prune(): void {
    const now = this.#now();
    for (const [key, flight] of this.#flights)
      if (flight.settledAt !== undefined && now - flight.settledAt > this.#graceMs) this.#flights.delete(key);
  }
}
