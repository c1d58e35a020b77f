// The budget invariant of the update operator, checked from outside: a watch
// on every Node for the whole run replays each change in the API server's
// order, and after each one the checker counts the nodes that are down
// because of a rollout. It records every state in which more than
// maxUnavailable of them were; a test asserts there was none.
import assert from 'node:assert/strict';
import type { V1Node } from '@kubernetes/client-node';
import { ANNOTATIONS, LABELS, TRUE } from '@strata/update-operator';
import type { NodeWatch } from './node-watch.ts';

/**
 * Why a node is unavailable as the operator's budget counts it, or undefined: a selected node holds a slot while it
 * is NotReady, cordoned by anyone, or carries reboot-ok, reboot-in-progress, the before-reboot label or
 * fleetlock-holder.
 */
export function unavailableBecause(node: V1Node): string | undefined {
  const annotations = node.metadata?.annotations ?? {};
  const labels = node.metadata?.labels ?? {};
  const ready = node.status?.conditions?.find((condition) => condition.type === 'Ready')?.status === 'True';
  if (!ready) return 'NotReady';
  if (node.spec?.unschedulable === true) return 'cordoned';
  if (annotations[ANNOTATIONS.rebootInProgress] === TRUE) return 'reboot-in-progress';
  if (annotations[ANNOTATIONS.rebootOk] === TRUE) return 'reboot-ok';
  if (labels[LABELS.beforeReboot] === TRUE) return 'before-reboot';
  if (annotations[ANNOTATIONS.fleetLockHolder] !== undefined) return 'fleetlock-holder';
  return undefined;
}

export interface BudgetViolation {
  /** When the checker saw the state (its clock, not the API server's). */
  readonly at: Date;
  /** The resourceVersion of the change that led to the state. */
  readonly resourceVersion: string;
  /** The unavailable nodes, each with its reason. */
  readonly unavailable: readonly string[];
}

export interface BudgetInvariantOptions {
  readonly maxUnavailable: number;
  /** Only these nodes count (a policy's selection); default: every node. */
  readonly selects?: (node: V1Node) => boolean;
}

export class BudgetInvariant {
  readonly #options: BudgetInvariantOptions;
  readonly #watch: NodeWatch;
  readonly #violations: BudgetViolation[] = [];
  readonly #stop: () => void;
  #changes = 0;
  #maxSeen = 0;
  #maxSeenNodes: readonly string[] = [];

  /** Checks every change `watch` delivers from now on; start it before the rollout. */
  constructor(watch: NodeWatch, options: BudgetInvariantOptions) {
    this.#options = options;
    this.#watch = watch;
    this.#stop = watch.onChange((changed, nodes) => this.#check(changed, nodes));
  }

  #check(changed: V1Node, nodes: readonly V1Node[]): void {
    this.#changes += 1;
    const selects = this.#options.selects ?? (() => true);
    const unavailable: string[] = [];
    for (const node of nodes) {
      if (!selects(node)) continue;
      const reason = unavailableBecause(node);
      if (reason !== undefined) unavailable.push(`${node.metadata?.name ?? '?'} (${reason})`);
    }
    if (unavailable.length > this.#maxSeen) {
      this.#maxSeen = unavailable.length;
      this.#maxSeenNodes = unavailable;
    }
    if (unavailable.length > this.#options.maxUnavailable) {
      this.#violations.push({ at: new Date(), resourceVersion: changed.metadata?.resourceVersion ?? '', unavailable });
    }
  }

  /** The most nodes ever seen unavailable at once. */
  get maxSeen(): number {
    return this.#maxSeen;
  }

  get maxSeenNodes(): readonly string[] {
    return this.#maxSeenNodes;
  }

  get violations(): readonly BudgetViolation[] {
    return this.#violations;
  }

  /** Node changes checked so far. */
  get changes(): number {
    return this.#changes;
  }

  /** Stops checking (the watch goes on). */
  stop(): void {
    this.#stop();
  }

  /** Fails unless no state exceeded maxUnavailable and the watch had no gap. */
  assertHeld(): void {
    const first = this.#violations
      .slice(0, 3)
      .map(
        (violation) =>
          `  ${violation.at.toISOString()} rv ${violation.resourceVersion}: ${violation.unavailable.join(', ')}`,
      );
    assert.equal(
      this.#violations.length,
      0,
      `${this.#violations.length} state(s) had more than ${this.#options.maxUnavailable} nodes unavailable (max ${this.#maxSeen}):\n${first.join('\n')}`,
    );
    assert.equal(
      this.#watch.gaps,
      0,
      `the node watch had to list again ${this.#watch.gaps} time(s): states in between were not checked`,
    );
    assert.ok(this.#changes > 0, 'the checker saw no change of any node: it did not watch the rollout');
  }

  /** One line for the test's log. */
  summary(): string {
    return `invariant: max ${this.#maxSeen} of ${this.#options.maxUnavailable} allowed unavailable at once (${this.#maxSeenNodes.join(', ')}), ${this.#violations.length} violation(s), ${this.#changes} node changes checked, ${this.#watch.gaps} watch gap(s)`;
  }
}
