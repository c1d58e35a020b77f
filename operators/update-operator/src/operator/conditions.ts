// The conditions of an UpdatePolicy after a planning round: Progressing,
// Blocked (with the reason the rollout cannot move on without someone acting)
// and Degraded.
import { rfc3339 } from '@strata/kube';
import { protocolFacts, type NodeState } from './node-state.ts';
import { countsAgainstBudget, type NodePhase } from './phase.ts';
import { BLOCKED_REASONS, type BlockedReason, type RevokeCause } from './reasons.ts';
import type { RolloutPolicy } from './rollout-policy.ts';

const IN_PROGRESS_PHASES: ReadonlySet<NodePhase> = new Set([
  'waiting',
  'approved',
  'draining',
  'rebooting',
  'afterReboot',
]);
const MOVING_PHASES: ReadonlySet<NodePhase> = new Set(['approved', 'draining', 'rebooting']);

export interface PlannedCondition {
  readonly type: 'Progressing' | 'Blocked' | 'Degraded';
  readonly status: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
}

export interface HookWait {
  readonly node: string;
  readonly hooks: readonly string[];
  readonly label: 'before-reboot' | 'after-reboot';
}

export interface ConditionInput {
  readonly policy: RolloutPolicy;
  /** Whether the round gives a slot or finishes a node: then the rollout moves. */
  readonly moved: boolean;
  /** The selected nodes once those actions land. */
  readonly nodes: readonly NodeState[];
  readonly releaseFailed: boolean;
  readonly phases: ReadonlyMap<string, NodePhase>;
  readonly overlaps: ReadonlyMap<string, string>;
  /** Nodes that want a slot and did not get one this round. */
  readonly waiting: readonly string[];
  readonly backingOff: readonly string[];
  readonly hooksPending: readonly HookWait[];
  /** maxUnavailable resolved, and the number of selected nodes. */
  readonly limit: number;
  readonly selected: number;
  readonly closedCause: RevokeCause | undefined;
  readonly nextOpenAt: number | undefined;
}

const listNames = (names: readonly string[], max = 5): string =>
  names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;

function blockedReason(input: ConditionInput): { reason: BlockedReason; message: string } | undefined {
  const { policy, phases, overlaps, waiting, backingOff, hooksPending, limit, selected, closedCause, nextOpenAt } =
    input;
  const [firstOverlap] = overlaps;
  if (firstOverlap !== undefined) {
    const [node, other] = firstOverlap;
    return {
      reason: BLOCKED_REASONS.overlappingPolicies,
      message: `node ${node} is also selected by UpdatePolicy ${other}${overlaps.size > 1 ? ` (${overlaps.size} nodes overlap)` : ''}; nodes selected by more than one policy are not rebooted until the selectors are made disjoint`,
    };
  }
  const moving = [...phases.values()].some((phase) => MOVING_PHASES.has(phase));
  const pendingWork = waiting.length > 0 || hooksPending.length > 0 || backingOff.length > 0;
  if (!pendingWork || input.moved || moving) return undefined;
  if (closedCause === 'Paused')
    return {
      reason: BLOCKED_REASONS.paused,
      message: `spec.paused is true; ${waiting.length} node(s) wait for a reboot`,
    };
  if (closedCause === 'WindowClosed') {
    return {
      reason: BLOCKED_REASONS.windowClosed,
      message: `no reboot window is open${nextOpenAt === undefined ? '' : `; the next opens at ${rfc3339(nextOpenAt)}`}; ${waiting.length} node(s) wait for a reboot`,
    };
  }
  const [firstHook] = hooksPending;
  if (firstHook !== undefined) {
    return {
      reason: BLOCKED_REASONS.hooksPending,
      message: `node ${firstHook.node} waits for its ${firstHook.label} hook annotation(s) ${firstHook.hooks.join(', ')} to be "true"${hooksPending.length > 1 ? ` (${hooksPending.length} nodes wait for hooks)` : ''}`,
    };
  }
  if (waiting.length === 0) {
    return {
      reason: BLOCKED_REASONS.drainRetryBackoff,
      message: `the drain of ${listNames(backingOff)} failed; retried after a back-off that doubles with each failure in a row, up to ${Math.round(policy.drainRetryMaxDelayMs / 1000)} s`,
    };
  }
  const down = input.nodes.filter((node) => countsAgainstBudget(node, input.releaseFailed)).map((node) => node.name);
  return {
    reason: BLOCKED_REASONS.budgetExhausted,
    message: `maxUnavailable allows ${limit} of ${selected} node(s) down and ${down.length} already are (${listNames(down)}): not ready, cordoned, or failed; ${waiting.length} node(s) wait for a reboot`,
  };
}

/** Degraded: the failed nodes, told apart by what failed (a timeout, or a reboot that rolled back). */
function degraded(nodes: readonly NodeState[], failed: readonly string[]): PlannedCondition {
  if (failed.length === 0)
    return { type: 'Degraded', status: 'False', reason: 'AsExpected', message: 'no node failed its reboot' };
  const byName = new Map(nodes.map((node) => [node.name, node]));
  const rolledBack: string[] = [];
  const timedOut: string[] = [];
  for (const name of failed) {
    const node = byName.get(name);
    const from = node === undefined ? undefined : protocolFacts(node).rolledBackFrom;
    if (from === undefined) timedOut.push(name);
    else rolledBack.push(`${name} (from ${from})`);
  }
  const parts = [
    ...(timedOut.length > 0 ? [`node(s) ${listNames(timedOut)} did not come back within rebootTimeout`] : []),
    ...(rolledBack.length > 0 ? [`node(s) ${listNames(rolledBack)} rolled back: the new version failed to boot`] : []),
  ];
  return {
    type: 'Degraded',
    status: 'True',
    reason: rolledBack.length === 0 ? 'RebootTimedOut' : timedOut.length === 0 ? 'RebootRolledBack' : 'RebootsFailed',
    message: parts.join('; '),
  };
}

export function planConditions(input: ConditionInput): PlannedCondition[] {
  const { phases, waiting } = input;
  const blocked = blockedReason(input);
  const failed = [...phases].filter(([, phase]) => phase === 'failed').map(([name]) => name);
  const active = [...phases.values()].filter((phase) => IN_PROGRESS_PHASES.has(phase)).length;
  const needing = [...phases.values()].filter((phase) => phase === 'rebootNeeded').length;
  const progressing: PlannedCondition =
    blocked !== undefined
      ? {
          type: 'Progressing',
          status: 'False',
          reason: 'Blocked',
          message: 'the rollout cannot move on; see the Blocked condition',
        }
      : active + needing + waiting.length > 0
        ? {
            type: 'Progressing',
            status: 'True',
            reason: 'RebootsInProgress',
            message: `${active} node(s) in progress, ${needing} waiting for a slot`,
          }
        : { type: 'Progressing', status: 'False', reason: 'Idle', message: 'no node needs a reboot' };
  return [
    progressing,
    blocked === undefined
      ? { type: 'Blocked', status: 'False', reason: BLOCKED_REASONS.notBlocked, message: 'nothing blocks the rollout' }
      : { type: 'Blocked', status: 'True', reason: blocked.reason, message: blocked.message },
    degraded(input.nodes, failed),
  ];
}
