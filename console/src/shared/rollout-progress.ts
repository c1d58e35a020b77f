// The Overview's rollout progress: pure functions of the rows the OS updates page already streams (a node's
// RolloutRow, a policy's UpdatePolicyRow), kept apart from the components so that they are tested on their own.
import { compareVersions, parseVersion, type UpdatePhase } from '@strata/api';
import type { RolloutRow } from './rollout-row.ts';
import type { UpdatePolicyRow } from './update-policy-row.ts';

export type ProgressGroup = 'idle' | 'waiting' | 'inProgress' | 'failed';

/**
 * The operator's phases as the Overview groups them: waiting for a slot or for hooks; in progress once granted
 * (cordoned, draining, rebooting, and back up until its after-reboot checks pass); failed.
 */
export const PHASE_GROUP: Readonly<Record<UpdatePhase, ProgressGroup>> = {
  idle: 'idle',
  rebootNeeded: 'waiting',
  waiting: 'waiting',
  approved: 'inProgress',
  draining: 'inProgress',
  rebooting: 'inProgress',
  afterReboot: 'inProgress',
  failed: 'failed',
};

export interface RolloutProgress {
  /** The newest OS version any node runs or has staged; undefined when no node reports a version. */
  readonly target: string | undefined;
  readonly total: number;
  /** Nodes that run the target version. */
  readonly onTarget: number;
  readonly inProgress: number;
  readonly waiting: number;
  readonly failed: number;
}

/** The newer of two versions; a text that is no version loses to one that is. */
function newer(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const order = compareVersions(a, b);
  if (order === undefined) return parseVersion(b) === undefined ? a : b;
  return order >= 0 ? a : b;
}

export function rolloutProgress(rows: Iterable<RolloutRow>): RolloutProgress {
  const nodes = [...rows];
  const target = nodes.reduce<string | undefined>(
    (best, row) => newer(newer(best, row.version), row.newVersion),
    undefined,
  );
  const counts = { inProgress: 0, waiting: 0, failed: 0 };
  let onTarget = 0;
  for (const row of nodes) {
    const group = PHASE_GROUP[row.phase];
    if (group !== 'idle') counts[group]++;
    if (target !== undefined && row.version !== undefined && compareVersions(row.version, target) === 0) onTarget++;
  }
  return { target, total: nodes.length, onTarget, ...counts };
}

export interface PolicyProgress {
  readonly name: string;
  readonly paused: boolean;
  /** Undefined until the operator has counted the policy's nodes. */
  readonly total: number | undefined;
  readonly inProgress: number;
  readonly waiting: number;
  readonly failed: number;
}

/** A policy's progress from the operator's own counts (status.nodes), grouped as rolloutProgress groups nodes. */
export function policyProgress(policy: UpdatePolicyRow): PolicyProgress {
  const counts = { inProgress: 0, waiting: 0, failed: 0 };
  for (const [phase, group] of Object.entries(PHASE_GROUP) as [UpdatePhase, ProgressGroup][])
    if (group !== 'idle') counts[group] += policy.nodes?.[phase] ?? 0;
  return {
    name: policy.name,
    paused: policy.paused,
    total: policy.nodes?.total,
    ...counts,
  };
}
