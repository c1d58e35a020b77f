// The rollout controller of the leading replica: informers on Nodes and
// UpdatePolicies feed a work queue of policy names; each reconcile plans one
// policy from the informer cache plus this process's pending writes, writes
// the plan (conditioned, fenced) and the Events, submits the status (written
// off the pass's path, the latest only), and schedules itself again only for
// instants it knows of (a window opening or closing, a rebootTimeout, a drain
// back-off). FleetLock requests join the same loop.
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type V1Node,
} from '@kubernetes/client-node';
import { ANNOTATIONS, UPDATE_POLICY, type UpdatePolicy, type UpdatePolicyStatus } from '@strata/api';
import { KeyedLatestWriter } from '@strata/host';
import { Informer, isNotFound, runWorkers, WorkQueue } from '@strata/kube';
import type { Logger } from 'pino';
import { mergePatch } from '../drain/kube-api.ts';
import { GrantWithheldError, NodeChangedError, NotLeaderError } from './errors.ts';
import { DecisionRecorder } from './decision-recorder.ts';
import type { EventSink } from './events.ts';
import { enablesGrant, grantFacts, type GrantFacts } from './enabling.ts';
import { Expectations, isAtLeast } from './expectations.ts';
import { FleetLockQueue } from './fleetlock-queue.ts';
import { ParsedPolicies } from './parsed-policies.ts';
import type { OperatorMetrics } from './metrics.ts';
import { applyPatch, nodeStateOf, projectNode, protocolFacts, type NodeState } from './node-state.ts';

/**
 * The state of each cached Node, made once per version: the informer replaces a Node's object when it changes and
 * never changes one in place, so a pass over 1000 nodes makes a state only for the nodes that changed since the last
 * (each pass made all 1000 before: about a tenth of the leader's CPU time in a 1000-node rollout, and its garbage).
 */
const statesByNode = new WeakMap<V1Node, NodeState>();
function cachedStateOf(node: V1Node): NodeState {
  let state = statesByNode.get(node);
  if (state === undefined) {
    state = nodeStateOf(node);
    statesByNode.set(node, state);
  }
  return state;
}
import { NodeWriter } from './node-writer.ts';
import { orphanCompletions } from './orphans.ts';
import {
  GRANT_KINDS,
  grantsAfterFailures,
  overlayPendingWrites,
  planRollout,
  writesOf,
  type FleetLockDecision,
  type NodeWrite,
  type OtherPolicy,
  type RolloutPlan,
} from './plan.ts';
import type { NodePhase } from './phase.ts';
import { rolloutPolicyOf } from './rollout-policy.ts';
import { phaseTransitions, sameStatus, statusOf } from './status.ts';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface ControllerOptions {
  readonly kubeConfig: KubeConfig;
  readonly identity: string;
  readonly logger: Logger;
  readonly metrics: OperatorMetrics;
  readonly events: EventSink;
  readonly clock?: Clock;
  /** The fence: whether this replica leads right now. */
  readonly isLeader: () => boolean;
  /** Only UpdatePolicies with these labels (a label selector), e.g. to run several operators on one cluster. */
  readonly policyLabelSelector?: string;
  /** Only Nodes with these labels (a label selector). */
  readonly nodeLabelSelector?: string;
  /** The Node this replica runs on: granted after every other node of its policy (ADR 0075). */
  readonly nodeName?: string;
  /** How long a FleetLock client that stopped asking keeps its place in the queue. */
  readonly fleetLockRequestTtlMs?: number;
  /** How long a FleetLock request waits for the reconcile that decides it. */
  readonly fleetLockDecisionTimeoutMs?: number;
}

type PolicyObject = UpdatePolicy & KubernetesObject;

const NODES_PATH = '/api/v1/nodes';
const POLICIES_PATH = `/apis/${UPDATE_POLICY.group}/${UPDATE_POLICY.version}/${UPDATE_POLICY.plural}`;
const MAX_WAKE_DELAY_MS = 3_600_000;
// The work queue's key for nodes that no policy selects any more (orphans.ts); no policy name holds a colon.
const ORPHANS_KEY = ':orphaned-nodes';
/** How soon a pass whose writes conflicted runs again at the latest, should the nodes' changes not wake it first. */
const CONFLICT_RETRY_MS = 1_000;

type PassOutcome = { readonly queue: readonly string[] | undefined } | 'conflicted';

/** What makes a node worth a reconcile: not its heartbeats. */
function fingerprint(node: NodeState): string {
  return JSON.stringify([node.labels, node.annotations, node.unschedulable, node.ready]);
}

export class RolloutController {
  readonly #options: ControllerOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #queue = new WorkQueue();
  readonly #expectations: Expectations;
  readonly #writer: NodeWriter;
  readonly #customObjects: CustomObjectsApi;
  readonly #core: CoreV1Api;
  readonly #nodes: Informer<V1Node>;
  readonly #policies: Informer<PolicyObject>;
  readonly #fingerprints = new Map<string, string>();
  readonly #grantFacts = new Map<string, GrantFacts>();
  readonly #rebootNeededSince = new Map<string, number>();
  /** FleetLock clients' places in line taken over from the previous leader, kept until they ask again and are granted. */
  readonly #carriedSince = new Map<string, number>();
  readonly #inProgressSince = new Map<string, number>();
  readonly #policyGenerations = new Map<string, number>();
  readonly #phases = new Map<string, ReadonlyMap<string, NodePhase>>();
  readonly #fleetLock: FleetLockQueue;
  readonly #parsed: ParsedPolicies;
  readonly #recorder: DecisionRecorder;
  /**
   * Per policy, for decision_latency_seconds: the first change that can make a grant possible (enabling.ts) seen
   * since its last successful pass read the cache (`first`), and the first seen while a pass of it runs
   * (`duringPass`, which becomes `first` once that pass succeeded); with the nodes that pass left waiting.
   */
  readonly #changes = new Map<string, { first: number | undefined; duringPass: number | undefined }>();
  readonly #previousQueues = new Map<string, ReadonlySet<string>>();
  /**
   * Each policy's status is written off the pass's path: a pass waited for the write's answer before the next pass
   * could grant a freed slot (p90 up to 1 s at 1000 nodes). A pass decides against the status it last submitted
   * (`#submittedStatus`, ahead of the informer's echo); the Events of condition changes compare with the status last
   * written (`#writtenStatus`), so that a status replaced before it was written loses none.
   */
  readonly #statusWriter: KeyedLatestWriter<StatusWrite>;
  readonly #submittedStatus = new Map<string, { readonly uid: string; readonly status: UpdatePolicyStatus }>();
  readonly #writtenStatus = new Map<string, { readonly uid: string; readonly status: UpdatePolicyStatus }>();
  #reconciling: string | undefined;
  /** Nodes whose conditioned write found them changed: their next version, whatever changed, is worth a pass. */
  readonly #awaitingChange = new Set<string>();
  #stopped = false;
  #synced = false;

  constructor(options: ControllerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger;
    this.#parsed = new ParsedPolicies(options.logger);
    this.#recorder = new DecisionRecorder(options.metrics, options.events, options.logger);
    this.#fleetLock = new FleetLockQueue({
      now: () => this.#clock.now(),
      ...(options.fleetLockRequestTtlMs === undefined ? {} : { ttlMs: options.fleetLockRequestTtlMs }),
      ...(options.fleetLockDecisionTimeoutMs === undefined
        ? {}
        : { decisionTimeoutMs: options.fleetLockDecisionTimeoutMs }),
    });
    const { kubeConfig } = options;
    this.#core = kubeConfig.makeApiClient(CoreV1Api);
    this.#customObjects = kubeConfig.makeApiClient(CustomObjectsApi);
    this.#expectations = new Expectations(
      () => this.#clock.now(),
      (name) => {
        const node = this.#nodes.get(name);
        return node === undefined ? undefined : cachedStateOf(node);
      },
    );
    this.#writer = new NodeWriter({ kubeConfig, expectations: this.#expectations, mayWrite: () => this.mayWrite() });
    this.#statusWriter = new KeyedLatestWriter<StatusWrite>(
      (name, write) => this.#patchStatus(name, write),
      (error, name, write) => this.#statusWriteFailed(error, name, write),
    );
    const onError = (resource: string) => (error: unknown, retryInMs: number | undefined) =>
      this.#logger.warn(
        { err: error, resource, retryInMs },
        retryInMs === undefined ? 'handling a change failed' : 'list or watch failed; restarting it',
      );
    this.#nodes = new Informer<V1Node>({
      kubeConfig,
      path: NODES_PATH,
      list: (selectors) => this.#core.listNode(selectors),
      project: projectNode,
      ...(options.nodeLabelSelector === undefined ? {} : { labelSelector: options.nodeLabelSelector }),
      onChange: (change, node) => this.#onNode(node, change === 'delete'),
      onError: onError('nodes'),
    });
    this.#policies = new Informer<PolicyObject>({
      kubeConfig,
      path: POLICIES_PATH,
      list: (selectors) =>
        this.#customObjects.listClusterCustomObject({
          group: UPDATE_POLICY.group,
          version: UPDATE_POLICY.version,
          plural: UPDATE_POLICY.plural,
          ...selectors,
        }) as Promise<KubernetesListObject<PolicyObject>>,
      ...(options.policyLabelSelector === undefined ? {} : { labelSelector: options.policyLabelSelector }),
      onChange: (change, policy) => this.#onPolicy(policy, change === 'delete'),
      onError: onError('updatepolicies'),
    });
  }

  /** The fence every write passes. */
  mayWrite(): boolean {
    return !this.#stopped && this.#synced && this.#options.isLeader();
  }

  get synced(): boolean {
    return this.#synced;
  }

  /** The writer FleetLock uses, so its writes are fenced and counted the same way. */
  get writer(): NodeWriter {
    return this.#writer;
  }

  /**
   * Runs until `signal` aborts (leadership lost or shutdown): lists and
   * watches, then reconciles. No write happens before both caches synced.
   */
  async run(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const startedAt = this.#clock.now();
    const stop = (): void => void this.#stop();
    signal.addEventListener('abort', stop, { once: true });
    const listed = Promise.all([this.#nodes.start(), this.#policies.start()]);
    // Both caches must be complete before the first decision: a missing node would look like a free slot.
    await Promise.race([
      listed,
      new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })),
    ]);
    if (this.#stopped || signal.aborted) return;
    this.#takeOverQueues(startedAt);
    this.#synced = true;
    this.#logger.info(
      { nodes: this.#nodes.list().length, policies: this.#policies.list().length },
      'caches synced; reconciling',
    );
    for (const policy of this.#policies.list()) this.#queue.add(policy.metadata.name);
    this.#queue.add(ORPHANS_KEY);
    await runWorkers(this.#queue, 1, (key) => this.#reconcile(key), {
      onError: (error, key) => {
        this.#options.metrics.reconciles.inc({ outcome: 'error' });
        const log =
          error instanceof NotLeaderError
            ? this.#logger.debug.bind(this.#logger)
            : this.#logger.warn.bind(this.#logger);
        log({ err: error, policy: key }, 'reconcile failed; retrying with back-off');
      },
    });
    signal.removeEventListener('abort', stop);
  }

  /**
   * The fair order survives a failover: the nodes each policy's status shows waiting keep their places, in the
   * previous leader's order and ahead of every node this process saw first itself (all seen after `startedAt`).
   */
  #takeOverQueues(startedAt: number): void {
    for (const policy of this.#parsedPolicies().values()) {
      const queue = policy.status?.queue ?? [];
      queue.forEach((node, index) => {
        const since = startedAt - queue.length + index;
        const seen = this.#rebootNeededSince.get(node);
        if (seen !== undefined) this.#rebootNeededSince.set(node, Math.min(seen, since));
        else this.#carriedSince.set(node, since);
      });
    }
  }

  async #stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#synced = false;
    this.#fleetLock.clear('this replica stopped leading; retry');
    this.#expectations.clear();
    await Promise.all([this.#nodes.stop(), this.#policies.stop()]);
    await this.#queue.shutDown();
    // Status writes still waiting are refused by the fence (not leading): the next leader writes its own.
    await this.#statusWriter.idle();
  }

  #onNode(node: V1Node, deleted: boolean): void {
    const state = cachedStateOf(node);
    const now = this.#clock.now();
    if (deleted) {
      this.#fingerprints.delete(state.name);
      this.#grantFacts.delete(state.name);
      this.#rebootNeededSince.delete(state.name);
      this.#carriedSince.delete(state.name);
      this.#inProgressSince.delete(state.name);
      this.#awaitingChange.delete(state.name);
      this.#expectations.forget(state.name);
      this.#enqueueAll();
      return;
    }
    this.#expectations.observe(state);
    const facts = protocolFacts(state);
    if (!facts.rebootNeeded) this.#rebootNeededSince.delete(state.name);
    else if (!this.#rebootNeededSince.has(state.name)) this.#rebootNeededSince.set(state.name, now);
    // A lock the previous leader granted ends that client's wait: its next request queues afresh.
    if (facts.fleetLockHolder !== undefined) this.#carriedSince.delete(state.name);
    this.#observeAgentDrain(state, now);
    const print = fingerprint(state);
    const conflicted = this.#awaitingChange.delete(state.name);
    if (this.#fingerprints.get(state.name) === print) {
      if (conflicted) this.#enqueueAll({ enabling: false });
      return;
    }
    this.#fingerprints.set(state.name, print);
    const grantable = grantFacts(state);
    const enabling = enablesGrant(this.#grantFacts.get(state.name), grantable);
    this.#grantFacts.set(state.name, grantable);
    this.#enqueueAll({ enabling });
    // Only a node back from its reboot can be an orphan to finish; the others need no scan.
    if (this.#synced && facts.rebootOk && !facts.rebootNeeded && !facts.inProgress) this.#queue.add(ORPHANS_KEY);
  }

  /** The agent drains; the informer sees it start (reboot-in-progress) and end (NotReady, or drain-failed). */
  #observeAgentDrain(node: NodeState, now: number): void {
    const facts = protocolFacts(node);
    const started = this.#inProgressSince.get(node.name);
    if (facts.inProgress && node.ready && started === undefined) {
      this.#inProgressSince.set(node.name, now);
      return;
    }
    if (started === undefined) return;
    if (facts.inProgress && !node.ready)
      this.#options.metrics.drainDuration.observe({ source: 'agent', outcome: 'succeeded' }, (now - started) / 1000);
    else if (!facts.inProgress)
      this.#options.metrics.drainDuration.observe(
        { source: 'agent', outcome: facts.drainFailedAt === undefined ? 'ended' : 'failed' },
        (now - started) / 1000,
      );
    else return;
    this.#inProgressSince.delete(node.name);
  }

  #onPolicy(policy: PolicyObject, deleted: boolean): void {
    const name = policy.metadata.name;
    const generation = policy.metadata.generation ?? 0;
    if (deleted) {
      this.#policyGenerations.delete(name);
      this.#phases.delete(name);
      this.#changes.delete(name);
      this.#previousQueues.delete(name);
      this.#statusWriter.discard(name);
      this.#submittedStatus.delete(name);
      this.#writtenStatus.delete(name);
      this.#options.metrics.forgetPolicy(name);
      this.#enqueueAll();
      if (this.#synced) this.#queue.add(ORPHANS_KEY);
      return;
    }
    // Its own status writes change no selector: only a new generation can change what other policies overlap with.
    const changedSpec = this.#policyGenerations.get(name) !== generation;
    this.#policyGenerations.set(name, generation);
    if (changedSpec) {
      this.#enqueueAll();
      // A new selector may leave a node that rebooted under this policy selected by none.
      if (this.#synced) this.#queue.add(ORPHANS_KEY);
    } else this.#queue.add(name);
  }

  /** Queues every policy; `enabling: false` for a change that cannot make a grant possible (enablesGrant). */
  #enqueueAll(options: { readonly enabling: boolean } = { enabling: true }): void {
    if (!this.#synced) return;
    for (const policy of this.#policies.list())
      if (options.enabling) this.#enqueueChange(policy.metadata.name);
      else this.#queue.add(policy.metadata.name);
  }

  /** Queues a policy for a change that may make a grant possible (and notes when, for the decision latency). */
  #enqueueChange(name: string): void {
    const now = this.#clock.now();
    const entry = this.#changes.get(name) ?? { first: undefined, duringPass: undefined };
    entry.first ??= now;
    if (this.#reconciling === name) entry.duringPass ??= now;
    this.#changes.set(name, entry);
    this.#queue.add(name);
  }

  /** A pass of `name` ended: if it succeeded, what it saw is handled and only the changes since remain. */
  #passEnded(name: string, succeeded: boolean, queue?: readonly string[]): void {
    this.#reconciling = undefined;
    const entry = this.#changes.get(name);
    if (succeeded) {
      if (queue !== undefined) this.#previousQueues.set(name, new Set(queue));
      if (entry !== undefined) this.#changes.set(name, { first: entry.duringPass, duringPass: undefined });
    } else if (entry !== undefined) entry.duringPass = undefined;
  }

  #parsedPolicies(): Map<string, UpdatePolicy> {
    return this.#parsed.read(this.#policies.list());
  }

  /** The policy that governs `nodeName`, if exactly one does (FleetLock routing); the planner refuses overlaps. */
  policyOfNode(nodeName: string): string | undefined {
    const node = this.#nodes.get(nodeName);
    if (node === undefined) return undefined;
    const labels = node.metadata?.labels ?? {};
    const names = [...this.#parsedPolicies().values()]
      .filter((policy) => rolloutPolicyOf(policy).selects(labels))
      .map((policy) => policy.metadata.name);
    return names.sort()[0];
  }

  /** Every cached node that `matches`: a FleetLock client id must name exactly one. */
  findNodes(matches: (node: NodeState) => boolean): NodeState[] {
    return this.#nodes
      .list()
      .map(cachedStateOf)
      .filter((state) => matches(state));
  }

  /** The node as the next decision sees it: cache plus pending writes. */
  currentNode(name: string): NodeState | undefined {
    const node = this.#nodes.get(name);
    if (node === undefined) return undefined;
    const state = cachedStateOf(node);
    const pending = this.#expectations.pending().get(name);
    if (pending === undefined) return state;
    const patched = applyPatch(state, pending.patch);
    return pending.resourceVersion === undefined ? patched : { ...patched, resourceVersion: pending.resourceVersion };
  }

  policy(name: string): UpdatePolicy | undefined {
    return this.#parsedPolicies().get(name);
  }

  /** Wakes the reconcile of the policy governing `nodeName` (after a FleetLock release, say). */
  touch(nodeName: string): void {
    const policy = this.policyOfNode(nodeName);
    if (policy !== undefined) this.#enqueueChange(policy);
  }

  /**
   * Asks for a slot for a FleetLock client through the policy's reconcile,
   * in the same fair order and budget as agent-driven nodes.
   */
  requestFleetLock(nodeName: string, clientId: string): Promise<FleetLockDecision> {
    if (!this.mayWrite()) return Promise.resolve({ granted: false, reason: 'this replica does not lead; retry' });
    const policy = this.policyOfNode(nodeName);
    if (policy === undefined)
      return Promise.resolve({ granted: false, reason: `no UpdatePolicy selects node ${nodeName}` });
    const decision = this.#fleetLock.ask(nodeName, clientId);
    this.#enqueueChange(policy);
    return decision;
  }

  async #reconcile(name: string): Promise<void> {
    if (!this.mayWrite()) throw new NotLeaderError('not reconciling: this replica does not lead', { policy: name });
    if (name === ORPHANS_KEY) {
      await this.#finishOrphans();
      return;
    }
    this.#reconciling = name;
    let outcome: PassOutcome;
    try {
      outcome = await this.#reconcilePolicy(name);
    } catch (error) {
      this.#passEnded(name, false);
      throw error;
    }
    this.#passEnded(name, outcome !== 'conflicted', outcome === 'conflicted' ? undefined : outcome.queue);
  }

  /**
   * One pass of a policy; resolves to the nodes it left waiting (none if the policy is gone), or to `conflicted`
   * when writes were refused only because their nodes changed: the pass runs again on those nodes' next versions
   * (#decideAgainOnChange), and the work queue's back-off, which grows with every failure in a row and would
   * outlast them, is not involved.
   */
  async #reconcilePolicy(name: string): Promise<PassOutcome> {
    const started = performance.now();
    const policies = this.#parsedPolicies();
    const policy = policies.get(name);
    if (policy === undefined) return { queue: undefined };
    const view = rolloutPolicyOf(policy);
    const otherPolicies: OtherPolicy[] = [...policies.values()]
      .filter((other) => other.metadata.name !== name)
      .map((other) => ({ name: other.metadata.name, selects: rolloutPolicyOf(other).selects }));
    const now = this.#clock.now();
    const nodes = this.#nodes.list().map(cachedStateOf);
    const previousQueue = this.#previousQueues.get(name);
    const changedAt = this.#changes.get(name)?.first;
    const plan = planRollout({
      policy: view,
      otherPolicies,
      nodes,
      now,
      pendingWrites: this.#expectations.pending(),
      rebootNeededSince: this.#rebootNeededSince,
      ...(previousQueue === undefined ? {} : { previousQueue }),
      ...(changedAt === undefined ? {} : { changedAt }),
      ...(this.#options.nodeName === undefined ? {} : { grantLast: new Set([this.#options.nodeName]) }),
      fleetLockRequests: this.#fleetLock
        .requests()
        .filter((request) => view.selects(this.#nodes.get(request.node)?.metadata?.labels ?? {}))
        .map((request) => {
          const carried = this.#carriedSince.get(request.node);
          return carried === undefined || carried >= request.since ? request : { ...request, since: carried };
        }),
    });

    const planned = performance.now();
    this.#options.metrics.passPhase.observe({ phase: 'plan' }, (planned - started) / 1000);
    const failures = await this.#execute(policy, plan);
    if (plan.actions.length > 0)
      this.#options.metrics.passPhase.observe({ phase: 'node-writes' }, (performance.now() - planned) / 1000);
    for (const action of plan.actions)
      if (GRANT_KINDS.has(action.kind) && !failures.has(action.node)) this.#carriedSince.delete(action.node);
    for (const [node, decision] of plan.fleetLock) {
      const grantFailed = decision.granted && !decision.alreadyHeld && failures.has(node);
      this.#fleetLock.answer(
        node,
        grantFailed ? { granted: false, reason: 'the grant could not be written; retry' } : decision,
      );
    }
    if (failures.size > 0) {
      const errors = [...failures.values()];
      if (errors.every((error) => error instanceof NodeChangedError || error instanceof GrantWithheldError)) {
        this.#options.metrics.reconciles.inc({ outcome: 'conflict' });
        // Should the change that refused a write never show (it always does), the pass still runs again soon.
        this.#queue.addAfter(name, CONFLICT_RETRY_MS);
        this.#logger.debug(
          { policy: name, nodes: [...failures.keys()] },
          'nodes changed under the plan; deciding again',
        );
        return 'conflicted';
      }
      throw errors[0] ?? new Error(`writes to ${failures.size} node(s) failed`);
    }

    this.#submitStatus(policy, plan, now);
    this.#options.metrics.setPhaseCounts(name, plan.counts);
    this.#options.metrics.reconciles.inc({ outcome: 'ok' });
    // Capped: a timer beyond 2^31 ms would fire at once, and a far instant is as well met by planning again later.
    if (plan.wakeAt !== undefined)
      this.#queue.addAfter(name, Math.min(MAX_WAKE_DELAY_MS, Math.max(0, plan.wakeAt - this.#clock.now())));
    this.#logger.debug(
      { policy: name, actions: plan.actions.length, budget: plan.budget, ms: Math.round(performance.now() - started) },
      'reconciled',
    );
    return { queue: plan.queue };
  }

  /** Clears the grant of every node that came back from a reboot that no existing policy would finish. */
  async #finishOrphans(): Promise<void> {
    const selectors = [...this.#parsedPolicies().values()].map((policy) => rolloutPolicyOf(policy).selects);
    const names = new Set(this.#policies.list().map((policy) => policy.metadata.name));
    const nodes = overlayPendingWrites(this.#nodes.list().map(cachedStateOf), this.#expectations.pending());
    const completions = orphanCompletions(nodes, {
      selectedByAny: (labels) => selectors.some((selects) => selects(labels)),
      exists: (name) => names.has(name),
    });
    const results = await Promise.allSettled(
      completions.map(async (completion) => {
        await this.#writer.write(completion.node, completion.patch, completion.basedOn);
        this.#logger.info(
          {
            node: completion.node,
            policy: nodes.find((node) => node.name === completion.node)?.annotations[ANNOTATIONS.policy],
          },
          'node back from a reboot whose UpdatePolicy is gone (or no longer selects it): its reboot-ok is cleared',
        );
      }),
    );
    const failed = results.find((result) => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
  }

  /** Writes the plan: first what frees or keeps slots, then, if all of that landed, the grants. */
  async #execute(policy: UpdatePolicy, plan: RolloutPlan): Promise<Map<string, Error>> {
    const failures = new Map<string, Error>();
    const writes = writesOf(plan.actions);
    const stage = async (batch: readonly NodeWrite[]): Promise<void> => {
      await Promise.all(
        batch.map(async (write) => {
          try {
            await this.#writer.write(write.node, write.patch, write.basedOn);
            this.#recorder.written(policy, write, this.#clock.now());
          } catch (error) {
            failures.set(write.node, error instanceof Error ? error : new Error(String(error)));
            if (error instanceof NodeChangedError) this.#decideAgainOnChange(policy.metadata.name, write);
          }
        }),
      );
    };
    await stage(writes.filter((write) => !write.takesSlot));
    // A grant may count on a slot that a failed first-stage write was to free: one withheld per failure, the last
    // in the fair order (they stay queued for the retry); the others go out now.
    const grants = writes.filter((write) => write.takesSlot);
    const allowed = grantsAfterFailures(grants.length, failures.size);
    const [cause] = failures.values();
    for (const withheld of grants.slice(allowed))
      failures.set(
        withheld.node,
        new GrantWithheldError(
          `grant to node ${withheld.node} withheld: a write that was to free a slot failed`,
          { node: withheld.node },
          { cause },
        ),
      );
    await stage(grants.slice(0, allowed));
    return failures;
  }

  /**
   * A conditioned write found its node changed: decide again as soon as the informer shows the new version (a
   * heartbeat, too, which changes no fingerprint), or at once if it already does, rather than after back-off.
   */
  #decideAgainOnChange(policy: string, write: NodeWrite): void {
    const cached = this.#nodes.get(write.node)?.metadata?.resourceVersion;
    // The cache already shows a newer version: decide again now. Otherwise (the cache is at the version decided on,
    // or behind this process's own write to the node) wait for the next, which the informer is bound to show.
    if (cached !== undefined && cached !== write.basedOn && isAtLeast(cached, write.basedOn)) this.#queue.add(policy);
    else this.#awaitingChange.add(write.node);
  }

  /** Submits the policy's status for writing if it changed since the status this process last submitted. */
  #submitStatus(policy: UpdatePolicy, plan: RolloutPlan, now: number): void {
    const name = policy.metadata.name;
    const uid = policy.metadata.uid ?? '';
    const submitted = this.#submittedStatus.get(name);
    const previous = submitted?.uid === uid ? submitted.status : policy.status;
    const previousPhases = this.#phases.get(name) ?? new Map<string, NodePhase>();
    const status = statusOf({
      plan,
      previous,
      generation: policy.metadata.generation ?? 0,
      now,
      transitions: phaseTransitions(previousPhases, plan.phases, now),
    });
    this.#phases.set(name, plan.phases);
    if (sameStatus(previous, status)) return;
    if (!this.mayWrite()) throw new NotLeaderError('not writing status: this replica does not lead', { policy: name });
    this.#submittedStatus.set(name, { uid, status });
    this.#statusWriter.submit(name, { policy, status });
  }

  async #patchStatus(name: string, write: StatusWrite): Promise<void> {
    if (!this.mayWrite()) throw new NotLeaderError('not writing status: this replica does not lead', { policy: name });
    const started = performance.now();
    await this.#customObjects.patchClusterCustomObjectStatus(
      {
        group: UPDATE_POLICY.group,
        version: UPDATE_POLICY.version,
        plural: UPDATE_POLICY.plural,
        name,
        body: { status: write.status },
      },
      mergePatch(),
    );
    this.#options.metrics.passPhase.observe({ phase: 'status' }, (performance.now() - started) / 1000);
    this.#logger.debug({ policy: name, status: write.status }, 'status written');
    const uid = write.policy.metadata.uid ?? '';
    const written = this.#writtenStatus.get(name);
    this.#recorder.statusWritten(
      write.policy,
      written?.uid === uid ? written.status : write.policy.status,
      write.status,
    );
    this.#writtenStatus.set(name, { uid, status: write.status });
  }

  /**
   * A status write failed: the next pass decides against the informer's status again, so that what was lost is
   * written again; a policy deleted meanwhile needs none.
   */
  #statusWriteFailed(error: unknown, name: string, write: StatusWrite): void {
    if (this.#submittedStatus.get(name)?.status === write.status) this.#submittedStatus.delete(name);
    if (isNotFound(error)) {
      this.#logger.debug({ policy: name }, 'status not written: the UpdatePolicy is gone');
      return;
    }
    const log =
      error instanceof NotLeaderError ? this.#logger.debug.bind(this.#logger) : this.#logger.warn.bind(this.#logger);
    log({ err: error, policy: name }, 'status write failed; the next pass writes it again');
    if (this.mayWrite()) this.#queue.add(name);
  }
}

/** A policy's status waiting to be written, with the object it was decided on. */
interface StatusWrite {
  readonly policy: UpdatePolicy;
  readonly status: UpdatePolicyStatus;
}
