// The operator's own writes that its informer has not shown yet. Laid over the
// informer's cache before every decision, they keep a grant made a moment ago
// counted even while the cache still shows the node as it was, so that cache
// lag can never let the budget be handed out twice.
import { combinePatches, patchIsReflected, type NodePatch, type NodeState } from './node-state.ts';
import type { PendingWrite } from './plan.ts';

interface Expectation {
  readonly patch: NodePatch;
  readonly resourceVersion: string | undefined;
  readonly expiresAt: number;
}

/**
 * Whether `observed` is at least as new as `written`. Kubernetes calls
 * resourceVersions opaque, but every API server backed by etcd 3 issues them
 * as increasing integers; anything else compares only for equality, and the
 * expectation then ends when its values show or it expires.
 */
export function isAtLeast(observed: string, written: string): boolean {
  if (/^\d+$/.test(observed) && /^\d+$/.test(written)) return BigInt(observed) >= BigInt(written);
  return observed === written;
}

export class Expectations {
  readonly #pending = new Map<string, Expectation>();
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #cached: (node: string) => NodeState | undefined;

  /**
   * `cached`: the node as the informer shows it now, for a watch event that
   * arrived before the write's own answer. `ttlMs`: how long a write may stay
   * unobserved before it is no longer trusted over the cache (client-go: 5 minutes).
   */
  constructor(now: () => number, cached: (node: string) => NodeState | undefined = () => undefined, ttlMs = 120_000) {
    this.#now = now;
    this.#cached = cached;
    this.#ttlMs = ttlMs;
  }

  get size(): number {
    return this.#pending.size;
  }

  /** Records a write (`resourceVersion` undefined when its outcome is unknown); a second write to the node joins the first. */
  record(node: string, patch: NodePatch, resourceVersion: string | undefined): void {
    const previous = this.#pending.get(node);
    this.#pending.set(node, {
      patch: previous === undefined ? patch : combinePatches(previous.patch, patch),
      resourceVersion: resourceVersion ?? previous?.resourceVersion,
      expiresAt: this.#now() + this.#ttlMs,
    });
    const cached = this.#cached(node);
    if (cached !== undefined) this.observe(cached);
  }

  /** The informer shows `node` now: an expectation it has caught up with ends. */
  observe(node: NodeState): void {
    const expectation = this.#pending.get(node.name);
    if (expectation === undefined) return;
    const caughtUp =
      expectation.resourceVersion !== undefined && isAtLeast(node.resourceVersion, expectation.resourceVersion);
    if (caughtUp || patchIsReflected(node, expectation.patch)) this.#pending.delete(node.name);
  }

  forget(node: string): void {
    this.#pending.delete(node);
  }

  clear(): void {
    this.#pending.clear();
  }

  /** The writes still pending, dropping those that waited too long. */
  pending(): ReadonlyMap<string, PendingWrite> {
    const now = this.#now();
    const result = new Map<string, PendingWrite>();
    for (const [node, expectation] of this.#pending) {
      if (expectation.expiresAt <= now) this.#pending.delete(node);
      else result.set(node, { patch: expectation.patch, resourceVersion: expectation.resourceVersion });
    }
    return result;
  }
}
