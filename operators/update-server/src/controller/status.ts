// The status the controller writes back. Pure: the resolution, the store's
// counts and the previous status in, the next status out.
import type { UpdateChannelStatus, UpdateGroupRollout, UpdateGroupStatus, UpdateServerCondition } from '@strata/api';
import type { VersionCount } from '../store/store.ts';
import type { Resolved } from './resolve-catalog.ts';

/** The API server keeps at most this many entries of `versions`; the rest are the rarest. */
export const MAX_VERSIONS_IN_STATUS = 64;

function resolvedCondition(
  resolved: Resolved,
  previous: readonly UpdateServerCondition[] | undefined,
  generation: number,
  now: Date,
): UpdateServerCondition {
  const before = previous?.find((condition) => condition.type === 'Resolved');
  return {
    type: 'Resolved',
    status: resolved.status,
    reason: resolved.reason,
    message: resolved.message,
    // The transition time changes only when the status does, as metav1.Condition requires.
    lastTransitionTime:
      before !== undefined && before.status === resolved.status ? before.lastTransitionTime : now.toISOString(),
    observedGeneration: generation,
  };
}

export interface ChannelStatusInput {
  readonly resolved: Resolved;
  readonly version: string | undefined;
  readonly previous: UpdateChannelStatus | undefined;
  readonly generation: number;
  readonly now: Date;
}

export function channelStatus(input: ChannelStatusInput): UpdateChannelStatus {
  return {
    observedGeneration: input.generation,
    conditions: [resolvedCondition(input.resolved, input.previous?.conditions, input.generation, input.now)],
    ...(input.version === undefined ? {} : { version: input.version }),
  };
}

export interface GroupStatusInput {
  readonly resolved: Resolved;
  readonly versions: readonly VersionCount[];
  readonly rollout: UpdateGroupRollout | undefined;
  readonly previous: UpdateGroupStatus | undefined;
  readonly generation: number;
  readonly now: Date;
}

export function groupStatus(input: GroupStatusInput): UpdateGroupStatus {
  return {
    observedGeneration: input.generation,
    conditions: [resolvedCondition(input.resolved, input.previous?.conditions, input.generation, input.now)],
    machines: input.versions.reduce((sum, { machines }) => sum + machines, 0),
    versions: input.versions.slice(0, MAX_VERSIONS_IN_STATUS).map(({ version, machines }) => ({ version, machines })),
    ...(input.rollout === undefined ? {} : { rollout: input.rollout }),
  };
}

/** Whether writing `next` would change what the API server holds (key order aside). */
export function statusChanged(previous: unknown, next: unknown): boolean {
  return canonical(previous) !== canonical(next);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}
