// A node's place in a rollout, read from its annotations and labels alone, and
// whether it counts against a policy's maxUnavailable: a selected node holds a
// slot while it is NotReady, cordoned by anyone, or carries reboot-ok,
// reboot-in-progress, the before-reboot label or fleetlock-holder, counted from
// the Node objects every time, never remembered.
import { UPDATE_PHASES } from '@strata/api';
import { protocolFacts, type NodeState } from './node-state.ts';

/** A node's phase in a rollout, as UpdatePolicy's status counts them. */
export const NODE_PHASES = UPDATE_PHASES;
export type NodePhase = (typeof NODE_PHASES)[number];

/**
 * idle: nothing to do. rebootNeeded: waiting for a slot. waiting: holds a slot,
 * before-reboot hooks pending. approved: reboot-ok given, the agent has not
 * started. draining / rebooting: the agent (or Zincati, for a FleetLock holder)
 * is at work, told apart by the Ready condition. afterReboot: back up, the
 * operator finishes (after-reboot hooks, clean-up; for a FleetLock holder, from Zincati's steady-state on). failed: rebootTimeout passed, or the reboot rolled back.
 */
export function phaseOf(node: NodeState): NodePhase {
  const facts = protocolFacts(node);
  if (facts.failed) return 'failed';
  // Zincati said steady-state: the node is back, its lock kept until the after-reboot hooks say "true".
  if (facts.fleetLockHolder !== undefined && facts.afterReboot) return 'afterReboot';
  if (facts.inProgress || facts.fleetLockHolder !== undefined) return node.ready ? 'draining' : 'rebooting';
  if (facts.rebootOk) return facts.rebootNeeded ? 'approved' : 'afterReboot';
  if (facts.beforeReboot) return 'waiting';
  if (facts.rebootNeeded) return 'rebootNeeded';
  return 'idle';
}

/**
 * Whether the node takes one of the policy's maxUnavailable slots: it is down
 * or cordoned (whoever did it), or the operator has let it go (reboot-ok,
 * before-reboot, a FleetLock lock), or its agent has begun. A failed node
 * (timed out, or rolled back) is the failure budget: under HoldSlot it counts
 * until someone removes reboot-failed, so failures stop a rollout once they
 * fill maxUnavailable; under ReleaseSlot it stops counting for what the
 * operator did, but still counts while it is down or cordoned.
 */
export function countsAgainstBudget(node: NodeState, releaseFailedSlots: boolean): boolean {
  if (!node.ready || node.unschedulable) return true;
  const facts = protocolFacts(node);
  if (facts.failed) return !releaseFailedSlots;
  return facts.rebootOk || facts.inProgress || facts.beforeReboot || facts.fleetLockHolder !== undefined;
}
