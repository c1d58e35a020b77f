// What the benchmark sees of a rollout from outside: one watch on every Node,
// and for each node the instants (on this process's clock, as the watch
// delivered them) at which it needed its reboot, was granted it, began it,
// went down, came back and was done. Also the budget as the operator counts
// it (see unavailable() below) after every change, and how long free slots stayed
// unused while nodes waited. The watch is the whole-system tests' NodeWatch.
import type { KubeConfig, V1Node } from '@kubernetes/client-node';
import { ANNOTATIONS, LABELS, TRUE } from '@strata/api';
import { NodeWatch } from '../../src/update-rollout/node-watch.ts';

export interface NodeTimes {
  needed?: number;
  granted?: number;
  inProgress?: number;
  down?: number;
  up?: number;
  /** The agent finished: reboot-needed and reboot-in-progress cleared, uncordoned (reboot-ok still set). */
  agentDone?: number;
  done?: number;
}

const ready = (node: V1Node): boolean =>
  node.status?.conditions?.find((condition) => condition.type === 'Ready')?.status === 'True';

/**
 * Counts against maxUnavailable as the operator counts it: a selected node holds a slot while it is NotReady,
 * cordoned by anyone, or carries reboot-ok, reboot-in-progress, the before-reboot label or fleetlock-holder.
 */
function unavailable(node: V1Node): boolean {
  const annotations = node.metadata?.annotations ?? {};
  return (
    !ready(node) ||
    node.spec?.unschedulable === true ||
    annotations[ANNOTATIONS.rebootOk] === TRUE ||
    annotations[ANNOTATIONS.rebootInProgress] === TRUE ||
    node.metadata?.labels?.[LABELS.beforeReboot] === TRUE ||
    annotations[ANNOTATIONS.fleetLockHolder] !== undefined
  );
}

export class RolloutTimeline {
  readonly #watch: NodeWatch;
  readonly #selects: (node: V1Node) => boolean;
  readonly #times = new Map<string, NodeTimes>();
  readonly #unavailable = new Set<string>();
  /** Instants at which a slot was freed while nodes waited, not yet taken again. */
  readonly #freeSlots: number[] = [];
  readonly #reactionMs: number[] = [];
  #version: string | undefined;
  #limit = Number.POSITIVE_INFINITY;
  #maxUnavailable = 0;
  #overBudget = 0;

  private constructor(watch: NodeWatch, selects: (node: V1Node) => boolean) {
    this.#watch = watch;
    this.#selects = selects;
    // Subscribed before any until(): each change is recorded before a wait looks at it.
    watch.onChange((node) => {
      const name = node.metadata?.name ?? '';
      // A deleted node is no longer in the watch's list: nothing to record.
      if (watch.get(name) !== undefined && this.#selects(node) && this.#version !== undefined)
        this.#record(node, performance.now());
    });
  }

  /** Lists and watches every Node; resolves once the first list is in. */
  static async start(kubeConfig: KubeConfig, selects: (node: V1Node) => boolean): Promise<RolloutTimeline> {
    return new RolloutTimeline(await NodeWatch.start(kubeConfig), selects);
  }

  /** The list and watch failures the timeline recovered from. */
  get interruptions(): number {
    return this.#watch.interruptions;
  }

  async stop(): Promise<void> {
    await this.#watch.stop();
  }

  nodes(): V1Node[] {
    return this.#watch.list().filter(this.#selects);
  }

  /** Starts recording a rollout to `version` with `limit` slots. */
  track(version: string, limit: number): void {
    this.#version = version;
    this.#limit = limit;
    this.#times.clear();
    this.#unavailable.clear();
    for (const node of this.nodes()) if (unavailable(node)) this.#unavailable.add(node.metadata?.name ?? '');
  }

  /** Resolves once `done` holds for the selected nodes, checked after every change. */
  async until(done: (nodes: readonly V1Node[]) => boolean, timeoutMs: number, what: string): Promise<void> {
    await this.#watch.until(what, (nodes) => (done(nodes.filter(this.#selects)) ? true : undefined), timeoutMs);
  }

  #record(node: V1Node, now: number): void {
    const name = node.metadata?.name ?? '';
    const annotations = node.metadata?.annotations ?? {};
    const times = this.#times.get(name) ?? {};
    this.#times.set(name, times);
    if (times.needed === undefined && annotations[ANNOTATIONS.rebootNeeded] === TRUE) times.needed = now;
    if (times.granted === undefined && annotations[ANNOTATIONS.rebootOk] === TRUE) times.granted = now;
    if (times.inProgress === undefined && annotations[ANNOTATIONS.rebootInProgress] === TRUE) times.inProgress = now;
    if (times.granted !== undefined && times.down === undefined && !ready(node)) times.down = now;
    if (times.down !== undefined && times.up === undefined && ready(node)) times.up = now;
    if (
      times.up !== undefined &&
      times.agentDone === undefined &&
      annotations[ANNOTATIONS.rebootNeeded] !== TRUE &&
      annotations[ANNOTATIONS.rebootInProgress] !== TRUE &&
      node.spec?.unschedulable !== true
    ) {
      times.agentDone = now;
    }
    if (times.done === undefined && this.isDone(node)) times.done = now;

    const waiting = (): boolean =>
      [...this.#times.values()].some((other) => other.needed !== undefined && other.granted === undefined);
    const wasUnavailable = this.#unavailable.has(name);
    const isUnavailable = unavailable(node);
    if (isUnavailable && !wasUnavailable) {
      this.#unavailable.add(name);
      // A grant: it took the slot freed longest ago, or waited for its own reboot-needed to be seen.
      if (annotations[ANNOTATIONS.rebootOk] === TRUE && times.granted === now && times.needed !== undefined) {
        const freed = this.#freeSlots.shift();
        this.#reactionMs.push(now - Math.max(freed ?? times.needed, times.needed));
      }
    } else if (!isUnavailable && wasUnavailable) {
      this.#unavailable.delete(name);
      if (waiting()) this.#freeSlots.push(now);
    }
    this.#maxUnavailable = Math.max(this.#maxUnavailable, this.#unavailable.size);
    if (this.#unavailable.size > this.#limit) this.#overBudget += 1;
  }

  isDone(node: V1Node): boolean {
    const annotations = node.metadata?.annotations ?? {};
    return (
      node.metadata?.labels?.[LABELS.version] === this.#version &&
      annotations[ANNOTATIONS.rebootNeeded] !== TRUE &&
      annotations[ANNOTATIONS.rebootOk] === undefined &&
      annotations[ANNOTATIONS.rebootInProgress] !== TRUE &&
      node.spec?.unschedulable !== true &&
      ready(node)
    );
  }

  times(): ReadonlyMap<string, NodeTimes> {
    return this.#times;
  }

  /** From a free slot (or the node's reboot-needed, if later) to the grant that took it, per grant. */
  reactionMs(): readonly number[] {
    return this.#reactionMs;
  }

  get maxUnavailable(): number {
    return this.#maxUnavailable;
  }

  /** Changes after which more than the limit were unavailable. */
  get overBudget(): number {
    return this.#overBudget;
  }

  /** Lists after the first (a gap in what was seen). */
  get gaps(): number {
    return this.#watch.gaps;
  }
}
