// An UpdatePolicy's status from a plan: counts per phase, the nodes holding
// slots, the last phase changes and the conditions, with each condition's
// lastTransitionTime kept while its status stays the same, so that an
// unchanged rollout yields an identical status and costs no write.
import { isDeepStrictEqual } from 'node:util';
import type { UpdatePolicyCondition, UpdatePolicyStatus } from '@strata/api';
import { rfc3339 } from '@strata/kube';
import type { NodePhase } from './phase.ts';
import type { RolloutPlan } from './plan.ts';

/** status.lastTransitions keeps this many, newest last (the CRD's bound). */
export const MAX_LAST_TRANSITIONS = 20;

export interface PhaseTransition {
  readonly node: string;
  readonly from: NodePhase;
  readonly to: NodePhase;
  readonly time: string;
}

/** Phase changes between two observations of the same policy's nodes; nodes seen only once have none. */
export function phaseTransitions(
  previous: ReadonlyMap<string, NodePhase>,
  next: ReadonlyMap<string, NodePhase>,
  now: number,
): PhaseTransition[] {
  const transitions: PhaseTransition[] = [];
  for (const [node, to] of next) {
    const from = previous.get(node);
    if (from !== undefined && from !== to) transitions.push({ node, from, to, time: rfc3339(now) });
  }
  return transitions;
}

export interface StatusInput {
  readonly plan: RolloutPlan;
  readonly previous: UpdatePolicyStatus | undefined;
  readonly generation: number;
  readonly now: number;
  readonly transitions: readonly PhaseTransition[];
}

export function statusOf(input: StatusInput): UpdatePolicyStatus {
  const { plan, previous, generation, now } = input;
  const conditions: UpdatePolicyCondition[] = plan.conditions.map((condition) => {
    const before = previous?.conditions?.find((candidate) => candidate.type === condition.type);
    return {
      ...condition,
      lastTransitionTime:
        before !== undefined && before.status === condition.status ? before.lastTransitionTime : rfc3339(now),
      observedGeneration: generation,
    };
  });
  return {
    observedGeneration: generation,
    nodes: { ...plan.counts },
    inProgressCount: plan.slotHolders.length,
    inProgress: [...plan.slotHolders],
    queue: [...plan.queue],
    lastTransitions: [...(previous?.lastTransitions ?? []), ...input.transitions].slice(-MAX_LAST_TRANSITIONS),
    conditions,
  };
}

export const sameStatus = (a: UpdatePolicyStatus | undefined, b: UpdatePolicyStatus): boolean =>
  isDeepStrictEqual(a, b);
