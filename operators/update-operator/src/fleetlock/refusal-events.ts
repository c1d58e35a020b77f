// Refused FleetLock requests are recorded as Events on the node they named,
// but a caller decides how often it asks: without a limit a flood of
// requests would become a flood of Event objects in etcd. Each (node,
// reason, source) records at most one Event per interval, and all of them
// together draw on one token bucket; what is not recorded is still counted
// in the requests metric and logged.

export interface RefusalEventLimits {
  /** The same node, reason and source address record at most one Event in this long. */
  readonly perKeyIntervalMs: number;
  /** At most this many Events at once ... */
  readonly burst: number;
  /** ... and one more every this long. */
  readonly refillIntervalMs: number;
}

/** At most 20 at once and 20 a minute after that, across all nodes; one a minute for one node, reason and source. */
export const DEFAULT_REFUSAL_EVENT_LIMITS: RefusalEventLimits = {
  perKeyIntervalMs: 60_000,
  burst: 20,
  refillIntervalMs: 3_000,
};

export class RefusalEventLimiter {
  readonly #limits: RefusalEventLimits;
  readonly #now: () => number;
  readonly #lastByKey = new Map<string, number>();
  #tokens: number;
  #refilledAt: number;

  constructor(limits: RefusalEventLimits = DEFAULT_REFUSAL_EVENT_LIMITS, now: () => number = Date.now) {
    this.#limits = limits;
    this.#now = now;
    this.#tokens = limits.burst;
    this.#refilledAt = now();
  }

  /** Whether an Event for `key` may be recorded now; a yes is counted against the limits. */
  allow(key: string): boolean {
    const now = this.#now();
    this.#refill(now);
    const last = this.#lastByKey.get(key);
    if (last !== undefined && now - last < this.#limits.perKeyIntervalMs) return false;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    this.#lastByKey.set(key, now);
    return true;
  }

  #refill(now: number): void {
    const earned = Math.floor((now - this.#refilledAt) / this.#limits.refillIntervalMs);
    if (earned > 0) {
      this.#tokens = Math.min(this.#limits.burst, this.#tokens + earned);
      this.#refilledAt += earned * this.#limits.refillIntervalMs;
    }
    // Keys older than their interval no longer limit anything; dropping them keeps the map as small as the
    // number of Events recorded in one interval, which the bucket bounds.
    for (const [key, at] of this.#lastByKey) if (now - at >= this.#limits.perKeyIntervalMs) this.#lastByKey.delete(key);
  }
}
