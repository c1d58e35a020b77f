// The decision core: given one policy, the nodes (with this process's own
// pending writes laid over them) and the time, what to write next. Pure and
// synchronous, so the reconcile loop and the FleetLock server decide through
// the same code against the same budget, and so every rule can be tested
// without a cluster.
import { ANNOTATIONS, LABELS, TRUE } from '@strata/api';
import { rfc3339 } from '@strata/kube';
import { applyPatch, combinePatches, protocolFacts, type NodePatch, type NodeState } from './node-state.ts';
import { drainRetryAt } from './drain-retry.ts';
import { countsAgainstBudget, NODE_PHASES, phaseOf, type NodePhase } from './phase.ts';
import { planConditions, type HookWait, type PlannedCondition } from './conditions.ts';
import { EVENT_REASONS, type EventReason, type RevokeCause } from './reasons.ts';
import type { RolloutPolicy } from './rollout-policy.ts';

/** A write this process made that its informer has not shown yet. */
export interface PendingWrite {
  readonly patch: NodePatch;
  /** The node's resourceVersion after the write, when the API server answered. */
  readonly resourceVersion: string | undefined;
}

/** A Zincati client asking for a slot now (FleetLock pre-reboot). */
export interface FleetLockRequest {
  readonly node: string;
  readonly clientId: string;
  /** When this client first asked; its place in the fair order. */
  readonly since: number;
  /**
   * Whether the client is asking right now. A client that asked before but is
   * not waiting for an answer is never granted (nobody would hear it), but the
   * slot its turn comes to is kept free for it until it asks again.
   */
  readonly live?: boolean;
}

export interface OtherPolicy {
  readonly name: string;
  readonly selects: (labels: Readonly<Record<string, string>>) => boolean;
}

export interface PlanInput {
  readonly policy: RolloutPolicy;
  /** Every other UpdatePolicy: a node two policies select is acted on by neither (it still counts against both). */
  readonly otherPolicies: readonly OtherPolicy[];
  /** All nodes known; the planner picks those the policy selects. */
  readonly nodes: readonly NodeState[];
  readonly now: number;
  readonly pendingWrites?: ReadonlyMap<string, PendingWrite>;
  /** When this process first saw each node need a reboot: the fair order, oldest first. */
  readonly rebootNeededSince?: ReadonlyMap<string, number>;
  readonly fleetLockRequests?: readonly FleetLockRequest[];
  /**
   * The nodes this process's previous pass of this policy left waiting for a slot (its `queue`), and the instant of
   * the first change it saw after that pass read its cache. A node that waited can only have been made grantable by
   * a change since (a slot freed, the budget raised, a window opened), so its decision was possible from then on, not
   * from when it started to wait.
   */
  readonly previousQueue?: ReadonlySet<string>;
  readonly changedAt?: number;
  /**
   * Nodes granted only once no other node of the policy waits or holds a grant, whatever their age: the node the
   * leading replica runs on, so that its drain (which hands the Lease over) comes when the rollout is over, never in
   * the middle of it (ADR 0075). Last in `queue` meanwhile.
   */
  readonly grantLast?: ReadonlySet<string>;
}

export type ActionKind =
  | 'requestBeforeRebootHooks'
  | 'approve'
  | 'grantFleetLock'
  | 'revoke'
  | 'requestAfterRebootHooks'
  | 'complete'
  | 'markFailed'
  | 'markRolledBack';

/** Actions that take a slot the node did not hold. */
export const GRANT_KINDS: ReadonlySet<ActionKind> = new Set(['requestBeforeRebootHooks', 'approve', 'grantFleetLock']);

export interface PlannedAction {
  readonly kind: ActionKind;
  readonly node: string;
  /** The resourceVersion the decision saw; the write is conditioned on it. */
  readonly basedOn: string;
  readonly patch: NodePatch;
  readonly reason: EventReason;
  readonly message: string;
  readonly warning: boolean;
  /** For grants: when the node was first seen to need its reboot (its place in the fair order). */
  readonly since?: number;
  /**
   * For grants: since when the decision was possible, the start of `decision_latency_seconds`. Its `since`, or, for
   * a node the previous pass left waiting, the first change seen after that pass, whichever is later.
   */
  readonly possibleSince?: number;
  /** For grants: whether it took a new slot (false for a node already down or cordoned). */
  readonly takesSlot?: boolean;
}

export type { PlannedCondition } from './conditions.ts';

export type FleetLockDecision =
  { readonly granted: true; readonly alreadyHeld: boolean } | { readonly granted: false; readonly reason: string };

export interface Budget {
  /** maxUnavailable resolved against the selected nodes. */
  readonly limit: number;
  /** Nodes counting against it once the planned actions land. */
  readonly unavailable: number;
  readonly selected: number;
}

export interface RolloutPlan {
  readonly actions: readonly PlannedAction[];
  readonly budget: Budget;
  /** Every selected node's phase once the planned actions land. */
  readonly phases: ReadonlyMap<string, NodePhase>;
  readonly counts: Readonly<Record<NodePhase, number>> & { readonly total: number };
  /** The nodes holding a slot of maxUnavailable once the planned actions land. */
  readonly slotHolders: readonly string[];
  /** The nodes still waiting for a slot, first in line first: the fair order a new leader takes over. */
  readonly queue: readonly string[];
  readonly conditions: readonly PlannedCondition[];
  readonly fleetLock: ReadonlyMap<string, FleetLockDecision>;
  /** The next instant at which the plan could change without any node changing (window, timeout, back-off). */
  readonly wakeAt: number | undefined;
}

const removeKeys = (keys: readonly string[]): Record<string, null> =>
  Object.fromEntries(keys.map((key) => [key, null]));

/** A new grant ends the wait of a failed drain: drain-failed goes, and drain-failures counts that failure. */
function drainFailureConsumed(node: NodeState): Record<string, string | null> {
  const { drainFailedAt, drainFailures } = protocolFacts(node);
  return {
    [ANNOTATIONS.drainFailed]: null,
    ...(drainFailedAt === undefined ? {} : { [ANNOTATIONS.drainFailures]: String(drainFailures + 1) }),
  };
}

function unmetHooks(node: NodeState, hooks: readonly string[]): string[] {
  return hooks.filter((hook) => node.annotations[hook] !== TRUE);
}

/** Lays this process's pending writes over the nodes the informer shows. */
export function overlayPendingWrites(
  nodes: readonly NodeState[],
  pending: ReadonlyMap<string, PendingWrite> | undefined,
): NodeState[] {
  if (pending === undefined || pending.size === 0) return [...nodes];
  return nodes.map((node) => {
    const write = pending.get(node.name);
    if (write === undefined) return node;
    const patched = applyPatch(node, write.patch);
    return write.resourceVersion === undefined ? patched : { ...patched, resourceVersion: write.resourceVersion };
  });
}

interface Candidate {
  readonly node: NodeState;
  readonly since: number;
  readonly fleetLock?: FleetLockRequest;
}

/** Mutable working state of one planning pass. */
class Pass {
  readonly policy: RolloutPolicy;
  readonly now: number;
  readonly releaseFailed: boolean;
  readonly nodes = new Map<string, NodeState>();
  readonly actions: PlannedAction[] = [];
  readonly fleetLock = new Map<string, FleetLockDecision>();
  readonly wakeTimes: number[] = [];

  constructor(policy: RolloutPolicy, now: number, selected: readonly NodeState[]) {
    this.policy = policy;
    this.now = now;
    this.releaseFailed = policy.onRebootTimeout === 'ReleaseSlot';
    for (const node of selected) this.nodes.set(node.name, node);
  }

  get unavailable(): number {
    let count = 0;
    for (const node of this.nodes.values()) if (countsAgainstBudget(node, this.releaseFailed)) count += 1;
    return count;
  }

  act(node: NodeState, action: Omit<PlannedAction, 'node' | 'basedOn'>): NodeState {
    this.actions.push({ ...action, node: node.name, basedOn: node.resourceVersion });
    const next = applyPatch(node, action.patch);
    this.nodes.set(node.name, next);
    return next;
  }

  wakeAt(time: number): void {
    if (time > this.now) this.wakeTimes.push(time);
  }
}

/**
 * Plans one round of a policy's rollout: the budget (a selected node holds a slot of maxUnavailable while it is NotReady, cordoned by anyone, or carries reboot-ok, reboot-in-progress, the before-reboot label or fleetlock-holder; grants go oldest-first), reboot
 * windows and pause (nothing new starts, unstarted approvals are revoked), hooks (the before-reboot and after-reboot
 * labels until every hook annotation is "true"), rebootTimeout (reboot-failed, Degraded), drain failures (revoke, grant
 * again after a back-off), overlapping policies (Blocked) and FleetLock requests (a slot like any other grant). The
 * operator's README describes each rule.
 */
export function planRollout(input: PlanInput): RolloutPlan {
  const { policy, now } = input;
  const all = overlayPendingWrites(input.nodes, input.pendingWrites);
  const selected = all
    .filter((node) => policy.selects(node.labels))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const pass = new Pass(policy, now, selected);
  const limit = Math.max(1, policy.budgetFor(selected.length));
  const window = policy.windowAt(now);
  if (window.nextChangeAt !== undefined) pass.wakeAt(window.nextChangeAt);
  const closedCause: RevokeCause | undefined = policy.paused ? 'Paused' : window.open ? undefined : 'WindowClosed';

  // A node another policy also selects is left alone (but still counts).
  const overlaps = new Map<string, string>();
  for (const node of selected) {
    const other = input.otherPolicies.find(
      (candidate) => candidate.name !== policy.name && candidate.selects(node.labels),
    );
    if (other !== undefined) overlaps.set(node.name, other.name);
  }

  const requests = new Map((input.fleetLockRequests ?? []).map((request) => [request.node, request]));
  const hooksPending: HookWait[] = [];
  for (const original of selected) {
    if (overlaps.has(original.name)) continue;
    const node = finishOrTimeOut(pass, original, hooksPending);
    if (closedCause !== undefined) revokeUnstarted(pass, node, closedCause);
  }
  for (const original of selected) {
    if (overlaps.has(original.name) || closedCause !== undefined) continue;
    const node = pass.nodes.get(original.name) ?? original;
    approveAfterHooks(pass, node, hooksPending, requests.get(node.name));
  }

  const candidates: Candidate[] = [];
  const backingOff: string[] = [];
  for (const node of pass.nodes.values()) {
    const request = requests.get(node.name);
    if (request !== undefined) {
      // Granted a moment ago, its before-reboot hooks done.
      if (pass.fleetLock.has(node.name)) continue;
      const refusal = fleetLockRefusal(pass, node, request, overlaps.get(node.name));
      if (refusal !== undefined) {
        pass.fleetLock.set(node.name, refusal);
        continue;
      }
    } else if (overlaps.has(node.name) || !isAgentCandidate(node)) {
      continue;
    }
    const { drainFailedAt, drainFailures } = protocolFacts(node);
    const retryAt =
      drainFailedAt === undefined
        ? Number.NEGATIVE_INFINITY
        : drainRetryAt(node.name, drainFailedAt, drainFailures + 1, policy.drainRetryMaxDelayMs);
    if (drainFailedAt !== undefined && retryAt > now) {
      pass.wakeAt(retryAt);
      backingOff.push(node.name);
      if (request !== undefined)
        pass.fleetLock.set(node.name, {
          granted: false,
          reason: `its last drain failed at ${rfc3339(drainFailedAt)} (${drainFailures + 1} in a row); it is retried from ${rfc3339(retryAt)}`,
        });
      continue;
    }
    // A node retried after a failed drain queues again from its retry time, behind nodes that waited longer.
    const since = Math.max(request?.since ?? input.rebootNeededSince?.get(node.name) ?? now, retryAt);
    candidates.push(request === undefined ? { node, since } : { node, since, fleetLock: request });
  }
  candidates.sort((a, b) => a.since - b.since || (a.node.name < b.node.name ? -1 : a.node.name > b.node.name ? 1 : 0));

  const possibleSince = (candidate: Candidate): number =>
    input.previousQueue?.has(candidate.node.name) === true
      ? Math.max(candidate.since, Math.min(input.changedAt ?? now, now))
      : candidate.since;
  // The leader's own node reboots alone: once no other node of the policy waits or holds a grant (ADR 0075).
  const isLast = (name: string): boolean => input.grantLast?.has(name) === true;
  const othersInFlight =
    candidates.some((candidate) => !isLast(candidate.node.name)) ||
    [...pass.nodes.values()].some((node) => !isLast(node.name) && holdsGrant(node));
  const heldBack = othersInFlight ? candidates.filter((candidate) => isLast(candidate.node.name)) : [];
  for (const { node, fleetLock } of heldBack)
    if (fleetLock !== undefined)
      pass.fleetLock.set(node.name, {
        granted: false,
        reason: `node ${node.name} runs the leading update operator; it reboots once no other node of UpdatePolicy ${policy.name} waits or reboots`,
      });
  const waiting = grantInFairOrder(
    pass,
    othersInFlight ? candidates.filter((candidate) => !isLast(candidate.node.name)) : candidates,
    limit,
    closedCause,
    window.nextOpenAt,
    possibleSince,
  );

  const phases = new Map<string, NodePhase>();
  for (const node of pass.nodes.values()) phases.set(node.name, phaseOf(node));
  const counts = Object.fromEntries(NODE_PHASES.map((phase) => [phase, 0])) as Record<NodePhase, number>;
  for (const phase of phases.values()) counts[phase] += 1;
  const slotHolders = [...pass.nodes.values()]
    .filter((node) => countsAgainstBudget(node, pass.releaseFailed))
    .map((node) => node.name);
  const budget: Budget = { limit, unavailable: slotHolders.length, selected: selected.length };

  const conditions = planConditions({
    policy,
    moved: pass.actions.some((action) => GRANT_KINDS.has(action.kind) || action.kind === 'complete'),
    nodes: [...pass.nodes.values()],
    releaseFailed: pass.releaseFailed,
    phases,
    overlaps,
    waiting: waiting.map((candidate) => candidate.node.name),
    backingOff,
    hooksPending,
    limit,
    selected: selected.length,
    closedCause,
    nextOpenAt: window.nextOpenAt,
  });

  return {
    actions: pass.actions,
    budget,
    phases,
    counts: { ...counts, total: selected.length },
    slotHolders,
    queue: [...waiting, ...heldBack].map((candidate) => candidate.node.name),
    conditions,
    fleetLock: pass.fleetLock,
    wakeAt: pass.wakeTimes.length === 0 ? undefined : Math.min(...pass.wakeTimes),
  };
}

/** Whether the agent-driven protocol wants a slot for this node now. */
function isAgentCandidate(node: NodeState): boolean {
  const facts = protocolFacts(node);
  return (
    facts.rebootNeeded &&
    !facts.rebootOk &&
    !facts.beforeReboot &&
    !facts.inProgress &&
    !facts.failed &&
    facts.fleetLockHolder === undefined
  );
}

/** Clean up nodes that are back, and mark failed those that did not come back within rebootTimeout. */
function finishOrTimeOut(pass: Pass, node: NodeState, hooksPending: HookWait[]): NodeState {
  const { policy, now } = pass;
  const facts = protocolFacts(node);
  // A node that also holds a FleetLock lock is not done until Zincati releases it: clearing its failed mark now
  // would make that lock count against the budget again, over the limit.
  if (facts.rebootOk && !facts.rebootNeeded && !facts.inProgress && facts.fleetLockHolder === undefined) {
    if (policy.afterRebootHooks.length > 0) {
      if (!facts.afterReboot) {
        return pass.act(node, {
          kind: 'requestAfterRebootHooks',
          patch: { labels: { [LABELS.afterReboot]: TRUE } },
          reason: EVENT_REASONS.afterRebootHooksPending,
          message: `node ${node.name} is back; waiting for after-reboot hooks ${policy.afterRebootHooks.join(', ')} to be "true" (UpdatePolicy ${policy.name})`,
          warning: false,
        });
      }
      const unmet = unmetHooks(node, policy.afterRebootHooks);
      if (unmet.length > 0) {
        hooksPending.push({ node: node.name, hooks: unmet, label: 'after-reboot' });
        return node;
      }
    }
    const cleared = completion(policy, ANNOTATIONS.rebootOk);
    // The agent sets rolled-back at the end of every reboot that fell back (and clears it at every one that did
    // not), so with the grant still on the node it describes this reboot. Consuming the grant here is what makes
    // the failure counted once; reboot-failed keeps the node from being granted again until someone removes it.
    if (facts.rolledBackFrom !== undefined) {
      return pass.act(node, {
        kind: 'markRolledBack',
        patch: { ...cleared, annotations: { ...cleared.annotations, [ANNOTATIONS.rebootFailed]: TRUE } },
        reason: EVENT_REASONS.rebootRolledBack,
        message:
          `node ${node.name} came back on its old version: ${facts.rolledBackFrom} failed to boot and it rolled back; ` +
          `marked ${ANNOTATIONS.rebootFailed} (UpdatePolicy ${policy.name}${policy.onRebootTimeout === 'HoldSlot' ? ', which keeps counting it against maxUnavailable' : ''}); ` +
          `it is not rebooted again until someone removes the annotation`,
        warning: true,
      });
    }
    return pass.act(node, {
      kind: 'complete',
      patch: cleared,
      reason: EVENT_REASONS.rebootCompleted,
      message: `node ${node.name} rebooted and is done (UpdatePolicy ${policy.name})`,
      warning: false,
    });
  }

  // Zincati said steady-state while the policy has after-reboot hooks: the lock holds the slot until they say "true".
  // An agent's reboot still in progress on the same node holds it until the agent is done, as the agent's completion
  // above waits for the lock: clearing the failed mark under it would count the node against the budget again.
  if (facts.fleetLockHolder !== undefined && facts.afterReboot && !facts.inProgress) {
    const unmet = unmetHooks(node, policy.afterRebootHooks);
    if (unmet.length > 0) {
      hooksPending.push({ node: node.name, hooks: unmet, label: 'after-reboot' });
      return node;
    }
    // An agent's reboot-ok on the same node is consumed by this reboot too: left behind without the failed mark that
    // this clears, it would count the node against the budget again (found by the planner's property test).
    return pass.act(node, {
      kind: 'complete',
      patch: completion(policy, ANNOTATIONS.fleetLockHolder, ANNOTATIONS.rebootOk),
      reason: EVENT_REASONS.rebootCompleted,
      message: `node ${node.name} rebooted (FleetLock client ${facts.fleetLockHolder}) and is done (UpdatePolicy ${policy.name})`,
      warning: false,
    });
  }

  // The agent gave up draining (onTimeout Retry) and handed the slot back.
  if (facts.rebootOk && !facts.inProgress && facts.drainFailedAt !== undefined) {
    return revoke(pass, node, 'DrainFailed');
  }

  const heldSince = facts.rebootOk || facts.fleetLockHolder !== undefined ? facts.grantedAt : undefined;
  const unfinished = facts.fleetLockHolder !== undefined || facts.rebootNeeded || facts.inProgress;
  if (heldSince !== undefined && unfinished && !facts.failed) {
    const deadline = heldSince + policy.rebootTimeoutMs;
    if (deadline > now) {
      pass.wakeAt(deadline);
      return node;
    }
    // Under ReleaseSlot an approved node that never started loses reboot-ok too, so that it cannot start
    // later, uncounted, on top of the nodes granted in its place.
    const releaseUnstarted = policy.onRebootTimeout === 'ReleaseSlot' && facts.rebootOk && !facts.inProgress;
    return pass.act(node, {
      kind: 'markFailed',
      patch: {
        annotations: {
          [ANNOTATIONS.rebootFailed]: TRUE,
          ...(releaseUnstarted
            ? removeKeys([ANNOTATIONS.rebootOk, ANNOTATIONS.rebootGrantedAt, ANNOTATIONS.policy])
            : {}),
        },
      },
      reason: EVENT_REASONS.rebootTimedOut,
      message:
        `node ${node.name} did not finish its reboot within ${Math.round(policy.rebootTimeoutMs / 1000)} s of ${rfc3339(heldSince)}; ` +
        (policy.onRebootTimeout === 'HoldSlot'
          ? 'it keeps its slot (rebootTimeout.onTimeout HoldSlot) until it comes back or someone removes the reboot-failed annotation'
          : 'its slot is released (rebootTimeout.onTimeout ReleaseSlot); it still counts while it is down or cordoned'),
      warning: true,
    });
  }
  return node;
}

function revoke(pass: Pass, node: NodeState, cause: RevokeCause): NodeState {
  const { policy } = pass;
  const because: Record<RevokeCause, string> = {
    WindowClosed: 'no reboot window is open',
    Paused: 'the policy is paused',
    DrainFailed: 'its drain failed; it is retried after a back-off',
    NoLongerNeeded: 'it no longer needs a reboot',
    RebootTimedOut: 'it timed out',
  };
  return pass.act(node, {
    kind: 'revoke',
    patch: {
      annotations: {
        ...removeKeys([
          ANNOTATIONS.rebootOk,
          ANNOTATIONS.rebootGrantedAt,
          ANNOTATIONS.policy,
          ANNOTATIONS.fleetLockRequester,
        ]),
        ...removeKeys(policy.beforeRebootHooks),
      },
      labels: removeKeys([LABELS.beforeReboot]),
    },
    reason: EVENT_REASONS.rebootRevoked,
    message: `reboot of node ${node.name} revoked before it started: ${because[cause]} (UpdatePolicy ${policy.name})`,
    warning: cause === 'DrainFailed',
  });
}

/** When the window closes or the policy is paused, a node let go but not yet started is held back. */
function revokeUnstarted(pass: Pass, node: NodeState, cause: RevokeCause): void {
  const facts = protocolFacts(node);
  if (facts.inProgress) return;
  if ((facts.rebootOk && facts.rebootNeeded) || facts.beforeReboot) revoke(pass, node, cause);
}

/**
 * A node labelled before-reboot is approved once all its before-reboot hooks say "true": reboot-ok for the agent,
 * or the lock for the Zincati client waiting in fleetlock-requester (answered at once if it is asking now).
 */
function approveAfterHooks(
  pass: Pass,
  node: NodeState,
  hooksPending: HookWait[],
  request: FleetLockRequest | undefined,
): void {
  const facts = protocolFacts(node);
  if (!facts.beforeReboot || facts.rebootOk || facts.inProgress) return;
  const requester = facts.fleetLockRequester;
  // Zincati says no reboot-needed: its client asking is the need, and its slot is held until the hooks are done.
  if (requester === undefined && !facts.rebootNeeded) {
    revoke(pass, node, 'NoLongerNeeded');
    return;
  }
  const unmet = unmetHooks(node, pass.policy.beforeRebootHooks);
  if (unmet.length > 0) {
    hooksPending.push({ node: node.name, hooks: unmet, label: 'before-reboot' });
    return;
  }
  if (requester === undefined) {
    pass.act(node, approval(pass, node, {}, false));
    return;
  }
  pass.act(node, fleetLockGrant(pass, node, requester, {}, false));
  if (request?.clientId === requester) pass.fleetLock.set(node.name, { granted: true, alreadyHeld: false });
}

/**
 * A finished reboot's clean-up, whichever way it was granted (`grantMarks`: reboot-ok, fleetlock-holder or both): the grant,
 * the after-reboot hooks and every step label gone, a before-reboot label left over included, since any of them would
 * keep counting the node against the budget.
 */
function completion(policy: RolloutPolicy, ...grantMarks: readonly string[]): NodePatch {
  return {
    annotations: {
      ...removeKeys(policy.afterRebootHooks),
      ...removeKeys([
        ...grantMarks,
        ANNOTATIONS.rebootGrantedAt,
        ANNOTATIONS.policy,
        ANNOTATIONS.rebootFailed,
        ANNOTATIONS.drainFailed,
        ANNOTATIONS.drainFailures,
      ]),
    },
    labels: removeKeys([LABELS.afterReboot, LABELS.beforeReboot]),
  };
}

/**
 * A grant of a reboot slot, whichever way the node takes it (`mark`: reboot-ok for an agent, fleetlock-holder for a
 * FleetLock client): when and by which policy it was granted, and the before-reboot step's marks gone.
 */
function grant(
  pass: Pass,
  node: NodeState,
  kind: 'approve' | 'grantFleetLock',
  mark: Readonly<Record<string, string | null>>,
  event: { readonly reason: EventReason; readonly message: string },
  since: Pick<PlannedAction, 'since' | 'possibleSince'>,
  takesSlot: boolean,
): Omit<PlannedAction, 'node' | 'basedOn'> {
  const { policy, now } = pass;
  return {
    kind,
    patch: {
      annotations: {
        ...mark,
        [ANNOTATIONS.rebootGrantedAt]: rfc3339(now),
        [ANNOTATIONS.policy]: policy.name,
        ...removeKeys(policy.beforeRebootHooks),
        ...drainFailureConsumed(node),
      },
      labels: removeKeys([LABELS.beforeReboot]),
    },
    ...event,
    warning: false,
    ...since,
    takesSlot,
  };
}

/** The lock itself: fleetlock-holder (the request it answers cleared). */
function fleetLockGrant(
  pass: Pass,
  node: NodeState,
  clientId: string,
  since: Pick<PlannedAction, 'since' | 'possibleSince'>,
  takesSlot: boolean,
): Omit<PlannedAction, 'node' | 'basedOn'> {
  return grant(
    pass,
    node,
    'grantFleetLock',
    { [ANNOTATIONS.fleetLockHolder]: clientId, [ANNOTATIONS.fleetLockRequester]: null },
    {
      reason: EVENT_REASONS.fleetLockAcquired,
      message: `FleetLock client ${clientId} of node ${node.name} took a reboot slot (UpdatePolicy ${pass.policy.name})`,
    },
    since,
    takesSlot,
  );
}

function approval(
  pass: Pass,
  node: NodeState,
  since: Pick<PlannedAction, 'since' | 'possibleSince'>,
  takesSlot: boolean,
): Omit<PlannedAction, 'node' | 'basedOn'> {
  return grant(
    pass,
    node,
    'approve',
    { [ANNOTATIONS.rebootOk]: TRUE },
    {
      reason: EVENT_REASONS.rebootApproved,
      message: `node ${node.name} may drain and reboot now (UpdatePolicy ${pass.policy.name})`,
    },
    since,
    takesSlot,
  );
}

function fleetLockRefusal(
  pass: Pass,
  node: NodeState,
  request: FleetLockRequest,
  overlappingPolicy: string | undefined,
): FleetLockDecision | undefined {
  const facts = protocolFacts(node);
  if (facts.fleetLockHolder === request.clientId && facts.afterReboot)
    return {
      granted: false,
      reason: `node ${node.name} is back from its reboot and waits for after-reboot hooks ${pass.policy.afterRebootHooks.join(', ')}; it may lock again once they are "true"`,
    };
  if (facts.fleetLockHolder === request.clientId) return { granted: true, alreadyHeld: true };
  if (overlappingPolicy !== undefined) {
    return {
      granted: false,
      reason: `node ${node.name} is selected by UpdatePolicies ${pass.policy.name} and ${overlappingPolicy}; nodes selected by more than one policy are not rebooted`,
    };
  }
  if (facts.fleetLockRequester === request.clientId)
    return {
      granted: false,
      reason: `node ${node.name} holds a reboot slot; waiting for before-reboot hooks ${unmetHooks(node, pass.policy.beforeRebootHooks).join(', ')} to be "true" (UpdatePolicy ${pass.policy.name})`,
    };
  if (facts.fleetLockHolder !== undefined || facts.fleetLockRequester !== undefined)
    return { granted: false, reason: `node ${node.name}'s slot is held by another FleetLock client id` };
  if (facts.failed)
    return {
      granted: false,
      reason: `node ${node.name} is marked ${ANNOTATIONS.rebootFailed}; remove the annotation to let it reboot again`,
    };
  if (facts.rebootOk || facts.inProgress || facts.beforeReboot)
    return { granted: false, reason: `node ${node.name} is being rebooted by the Strata update agent` };
  return undefined;
}

/** Whether the operator's grant is on the node, from before-reboot to after-reboot (a failed node's is over). */
function holdsGrant(node: NodeState): boolean {
  const facts = protocolFacts(node);
  if (facts.failed) return false;
  return (
    facts.rebootOk ||
    facts.inProgress ||
    facts.beforeReboot ||
    facts.afterReboot ||
    facts.fleetLockHolder !== undefined ||
    facts.fleetLockRequester !== undefined
  );
}

/** Hand out the slots maxUnavailable leaves free after every node that holds one, oldest request first. */
function grantInFairOrder(
  pass: Pass,
  candidates: readonly Candidate[],
  limit: number,
  closedCause: RevokeCause | undefined,
  nextOpenAt: number | undefined,
  possibleSince: (candidate: Candidate) => number,
): Candidate[] {
  const { policy } = pass;
  const waiting: Candidate[] = [];
  let unavailable = pass.unavailable;
  for (const candidate of candidates) {
    const { node, fleetLock } = candidate;
    const refuse = (reason: string): void => {
      waiting.push(candidate);
      if (fleetLock !== undefined) pass.fleetLock.set(node.name, { granted: false, reason });
    };
    if (closedCause === 'Paused') {
      refuse(`UpdatePolicy ${policy.name} is paused`);
      continue;
    }
    if (closedCause === 'WindowClosed') {
      refuse(
        `no reboot window of UpdatePolicy ${policy.name} is open${nextOpenAt === undefined ? '' : `; the next opens at ${rfc3339(nextOpenAt)}`}`,
      );
      continue;
    }
    const takesSlot = !countsAgainstBudget(node, pass.releaseFailed);
    if (takesSlot && unavailable >= limit) {
      refuse(`all ${limit} slots of UpdatePolicy ${policy.name} are taken (maxUnavailable)`);
      continue;
    }
    if (takesSlot) unavailable += 1;
    const times = { since: candidate.since, possibleSince: possibleSince(candidate) };
    if (fleetLock !== undefined && fleetLock.live === false) {
      refuse(
        `a slot of UpdatePolicy ${policy.name} is kept for FleetLock client ${fleetLock.clientId}; it is granted when the client asks again`,
      );
      continue;
    }
    if (fleetLock !== undefined && policy.beforeRebootHooks.length > 0) {
      const hooks = policy.beforeRebootHooks.join(', ');
      pass.act(node, {
        kind: 'requestBeforeRebootHooks',
        patch: {
          labels: { [LABELS.beforeReboot]: TRUE },
          annotations: { [ANNOTATIONS.fleetLockRequester]: fleetLock.clientId, ...drainFailureConsumed(node) },
        },
        reason: EVENT_REASONS.beforeRebootHooksPending,
        message: `FleetLock client ${fleetLock.clientId} of node ${node.name} holds a reboot slot; waiting for before-reboot hooks ${hooks} to be "true" (UpdatePolicy ${policy.name})`,
        warning: false,
        ...times,
        takesSlot,
      });
      pass.fleetLock.set(node.name, {
        granted: false,
        reason: `node ${node.name} holds a reboot slot; waiting for before-reboot hooks ${hooks} to be "true" (UpdatePolicy ${policy.name})`,
      });
    } else if (fleetLock !== undefined) {
      pass.act(node, fleetLockGrant(pass, node, fleetLock.clientId, times, takesSlot));
      pass.fleetLock.set(node.name, { granted: true, alreadyHeld: false });
    } else if (policy.beforeRebootHooks.length > 0) {
      pass.act(node, {
        kind: 'requestBeforeRebootHooks',
        patch: { labels: { [LABELS.beforeReboot]: TRUE }, annotations: drainFailureConsumed(node) },
        reason: EVENT_REASONS.beforeRebootHooksPending,
        message: `node ${node.name} holds a reboot slot; waiting for before-reboot hooks ${policy.beforeRebootHooks.join(', ')} to be "true" (UpdatePolicy ${policy.name})`,
        warning: false,
        ...times,
        takesSlot,
      });
    } else {
      pass.act(node, approval(pass, node, times, takesSlot));
    }
  }
  return waiting;
}

/** One conditioned write per node: the plan's actions on a node, in order, as a single patch. */
export interface NodeWrite {
  readonly node: string;
  readonly basedOn: string;
  readonly patch: NodePatch;
  readonly actions: readonly PlannedAction[];
  /** Whether the write takes a slot the node did not hold. */
  readonly takesSlot: boolean;
}

/**
 * The plan's writes, one per node, in two stages: first every write that
 * takes no new slot (clean-ups, revocations, failures, approvals of nodes
 * already holding a slot), then the grants, in the fair order. A grant may
 * rely on a slot that a first-stage write frees, so the executor runs only
 * `grantsAfterFailures` of the grants, the first in the fair order.
 */
export function writesOf(actions: readonly PlannedAction[]): NodeWrite[] {
  const byNode = new Map<string, PlannedAction[]>();
  for (const action of actions) {
    const list = byNode.get(action.node);
    if (list === undefined) byNode.set(action.node, [action]);
    else list.push(action);
  }
  const writes = [...byNode].map(([node, list]) => ({
    node,
    basedOn: list[0]?.basedOn ?? '',
    patch: list.map((action) => action.patch).reduce<NodePatch>((merged, patch) => combinePatches(merged, patch), {}),
    actions: list,
    takesSlot: list.some((action) => action.takesSlot === true),
  }));
  return [...writes.filter((write) => !write.takesSlot), ...writes.filter((write) => write.takesSlot)];
}

/**
 * How many of a plan's `grants` (second-stage writes, first in the fair order first) may still be written when
 * `failedFirstStage` of its first-stage writes failed. A failed first-stage write leaves its node as it was, which
 * counts against the budget at most once more than the plan assumed (a completion or revocation that did not free
 * its slot): withholding one grant per failure keeps the budget, and the other grants need not wait for the retry.
 */
export function grantsAfterFailures(grants: number, failedFirstStage: number): number {
  return Math.max(0, grants - failedFirstStage);
}
