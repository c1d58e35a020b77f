// FleetLock clients waiting for a slot. Their requests join the reconcile of
// their node's policy, which answers them; a client keeps its place in the
// fair order for a while after it last asked (Zincati asks again and again).
import type { FleetLockDecision, FleetLockRequest } from './plan.ts';

interface Waiting {
  readonly clientId: string;
  readonly since: number;
  lastSeen: number;
  readonly waiters: Set<(decision: FleetLockDecision) => void>;
}

export interface FleetLockQueueOptions {
  readonly now: () => number;
  /** How long a client that stopped asking keeps its place. */
  readonly ttlMs?: number;
  /** How long one request waits for the reconcile that decides it. */
  readonly decisionTimeoutMs?: number;
}

export class FleetLockQueue {
  readonly #waiting = new Map<string, Waiting>();
  readonly #now: () => number;
  readonly #ttlMs: number;
  readonly #decisionTimeoutMs: number;

  constructor(options: FleetLockQueueOptions) {
    this.#now = options.now;
    this.#ttlMs = options.ttlMs ?? 5 * 60_000;
    this.#decisionTimeoutMs = options.decisionTimeoutMs ?? 10_000;
  }

  /** Registers a request of `clientId` for `node`; resolves with the decision of a later reconcile (or a refusal on time-out). */
  ask(node: string, clientId: string): Promise<FleetLockDecision> {
    const now = this.#now();
    const existing = this.#waiting.get(node);
    if (existing !== undefined && existing.clientId !== clientId) {
      for (const waiter of [...existing.waiters])
        waiter({ granted: false, reason: `another FleetLock client id (${clientId}) asked for node ${node}` });
    }
    const entry: Waiting =
      existing !== undefined && existing.clientId === clientId
        ? existing
        : { clientId, since: now, lastSeen: now, waiters: new Set() };
    entry.lastSeen = now;
    this.#waiting.set(node, entry);
    return new Promise((resolve) => {
      const waiter = (decision: FleetLockDecision): void => {
        clearTimeout(timer);
        entry.waiters.delete(waiter);
        resolve(decision);
      };
      const timer = setTimeout(
        () => waiter({ granted: false, reason: 'no decision in time; retry' }),
        this.#decisionTimeoutMs,
      );
      entry.waiters.add(waiter);
    });
  }

  /** The requests for planning, dropping clients that stopped asking long ago. */
  requests(): FleetLockRequest[] {
    const now = this.#now();
    const requests: FleetLockRequest[] = [];
    for (const [node, entry] of this.#waiting) {
      if (entry.waiters.size === 0 && entry.lastSeen + this.#ttlMs < now) this.#waiting.delete(node);
      else requests.push({ node, clientId: entry.clientId, since: entry.since, live: entry.waiters.size > 0 });
    }
    return requests;
  }

  /** Answers every request waiting for `node`; a granted client leaves the queue. */
  answer(node: string, decision: FleetLockDecision): void {
    const entry = this.#waiting.get(node);
    if (entry === undefined) return;
    for (const waiter of [...entry.waiters]) waiter(decision);
    if (decision.granted) this.#waiting.delete(node);
  }

  /** Refuses everything waiting and forgets the queue (leadership ended). */
  clear(reason: string): void {
    for (const node of [...this.#waiting.keys()]) this.answer(node, { granted: false, reason });
    this.#waiting.clear();
  }
}
