// Which changes of a Node can make a grant possible, for decision_latency_seconds: a grant's decision counts from
// the first such change after the pass that left its node waiting (ADR 0076). Agents' status reports, a node going
// down or coming back up while it holds its slot, a cordon: none of them can free a slot, and counting from them
// would charge the wait for a slot to the decision.
import { UPDATE_PROTOCOL_PREFIX } from '@strata/api';
import { protocolFacts, type NodeState } from './node-state.ts';
import { countsAgainstBudget } from './phase.ts';

/** What of a node a grant can depend on, kept per node between its changes. */
export interface GrantFacts {
  /** It wants a slot (the agent protocol's candidate: needed, not granted, not failed). */
  readonly candidate: boolean;
  /** Back from its reboot: the pass that sees it clears its grant and frees its slot. */
  readonly back: boolean;
  /** Holds a slot, under HoldSlot and under ReleaseSlot. */
  readonly holds: boolean;
  readonly holdsUnlessFailed: boolean;
  /** Its drain failed (the pass revokes its grant). */
  readonly drainFailedAt: number | undefined;
  /** Its annotations while it waits at a hook (a hook turning "true" lets it go on). */
  readonly hooks: string | undefined;
  /** Its labels outside the update protocol: what policies select by. */
  readonly selection: string;
}

export function grantFacts(node: NodeState): GrantFacts {
  const facts = protocolFacts(node);
  return {
    candidate:
      facts.rebootNeeded &&
      !facts.rebootOk &&
      !facts.beforeReboot &&
      !facts.inProgress &&
      !facts.failed &&
      facts.fleetLockHolder === undefined,
    back:
      (facts.rebootOk && !facts.rebootNeeded && !facts.inProgress) ||
      (facts.fleetLockHolder !== undefined && facts.afterReboot),
    holds: countsAgainstBudget(node, false),
    holdsUnlessFailed: countsAgainstBudget(node, true),
    drainFailedAt: facts.drainFailedAt,
    hooks: facts.beforeReboot || facts.afterReboot ? JSON.stringify(node.annotations) : undefined,
    selection: JSON.stringify(Object.entries(node.labels).filter(([key]) => !key.startsWith(UPDATE_PROTOCOL_PREFIX))),
  };
}

/** Whether going from `before` (undefined: a node not seen before) to `after` can make a grant possible. */
export function enablesGrant(before: GrantFacts | undefined, after: GrantFacts): boolean {
  if (before === undefined) return true;
  return (
    (after.candidate && !before.candidate) ||
    (after.back && !before.back) ||
    (before.holds && !after.holds) ||
    (before.holdsUnlessFailed && !after.holdsUnlessFailed) ||
    (after.drainFailedAt !== undefined && after.drainFailedAt !== before.drainFailedAt) ||
    (after.hooks !== undefined && after.hooks !== before.hooks) ||
    after.selection !== before.selection
  );
}
