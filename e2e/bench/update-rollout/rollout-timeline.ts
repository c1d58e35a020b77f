// What the benchmark sees of a rollout from outside: one watch on every Node,
// and for each node the instants (on this process's clock, as the watch
// delivered them) at which it needed its reboot, was granted it, began it,
// went down, came back and was done. Also the budget as the operator counts
// it (see unavailable() below) after every change, and how long free slots stayed
// unused while nodes waited.
import { CoreV1Api, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import { ANNOTATIONS, LABELS, TRUE } from '@strata/api';
import { Informer } from '@strata/kube';

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
  readonly #informer: Informer<V1Node>;
  readonly #errors: unknown[] = [];
  readonly #selects: (node: V1Node) => boolean;
  readonly #times = new Map<string, NodeTimes>();
  readonly #unavailable = new Set<string>();
  /** Instants at which a slot was freed while nodes waited, not yet taken again. */
  readonly #freeSlots: number[] = [];
  readonly #reactionMs: number[] = [];
  readonly #listeners = new Set<() => void>();
  #version: string | undefined;
  #limit = Number.POSITIVE_INFINITY;
  #maxUnavailable = 0;
  #overBudget = 0;
  #lists = 0;

  constructor(kubeConfig: KubeConfig, selects: (node: V1Node) => boolean) {
    const core = kubeConfig.makeApiClient(CoreV1Api);
    this.#selects = selects;
    this.#informer = new Informer<V1Node>({
      kubeConfig,
      path: '/api/v1/nodes',
      list: async (selectors) => {
        const list = await core.listNode(selectors);
        this.#lists += 1;
        return list;
      },
      onChange: (change, node) => {
        if (change !== 'delete') this.#observe(node);
      },
      // Kept for the report: a restart resumes from the last resourceVersion, a relist shows as a gap.
      onError: (error) => this.#errors.push(error),
      backoff: { baseDelayMs: 500, maxDelayMs: 500 },
    });
  }

  async start(): Promise<void> {
    await this.#informer.start();
  }

  /** The list and watch failures the timeline recovered from. */
  errors(): readonly unknown[] {
    return this.#errors;
  }

  async stop(): Promise<void> {
    await this.#informer.stop();
  }

  nodes(): V1Node[] {
    return this.#informer.list().filter(this.#selects);
  }

  /** Starts recording a rollout to `version` with `limit` slots. */
  track(version: string, limit: number): void {
    this.#version = version;
    this.#limit = limit;
    this.#times.clear();
    this.#unavailable.clear();
    for (const node of this.nodes()) if (unavailable(node)) this.#unavailable.add(node.metadata?.name ?? '');
  }

  /** Resolves once `done` holds for the nodes, checked after every change. */
  until(done: (nodes: readonly V1Node[]) => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!done(this.nodes())) return;
        clearTimeout(timer);
        this.#listeners.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#listeners.delete(check);
        reject(new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`));
      }, timeoutMs);
      this.#listeners.add(check);
      check();
    });
  }

  #observe(node: V1Node): void {
    if (this.#selects(node) && this.#version !== undefined) this.#record(node, performance.now());
    for (const listener of [...this.#listeners]) listener();
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
    return Math.max(0, this.#lists - 1);
  }
}
