// The decision for one update check. Pure: everything it needs is passed in.
// A refusal is never an error: update_engine turns any updatecheck status
// other than ok or noupdate into error 34 and reports a failure, so a machine
// that must wait gets `noupdate` and the reason goes to the app status and the
// server's records.
import type { Channel, Group, Release } from './model.ts';
import { IN_PROGRESS_STATES, type MachineView } from './machine.ts';
import { isNewer, parseVersion } from '@strata/api';

export const HOLD_REASONS = [
  'unknown-group',
  'invalid-version',
  'missing-machine-id',
  'updates-disabled',
  'failed-before',
  'outside-office-hours',
  'timed-out-limit',
  'safe-mode',
  'concurrency-limit',
  'period-limit',
] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];

/** The group's rollout of one version, counted in the store under the group's lock. */
export interface RolloutStats {
  /** Granted, not complete, not failed, within the update timeout. */
  readonly inProgress: number;
  /** Granted, not complete, not failed, past the update timeout. */
  readonly timedOut: number;
  /** Grants in the group since the start of the current period. */
  readonly grantedInPeriod: number;
  readonly completed: number;
  readonly failed: number;
}

/** What the store must count for `RolloutStats`. */
export interface RolloutQuery {
  readonly track: string;
  readonly version: string;
  readonly periodStart: Date;
  /** A grant before this instant has timed out. */
  readonly timeoutBefore: Date;
}

export type CheckDecision =
  | { readonly kind: 'grant'; readonly release: Release; readonly group: Group; readonly regrant: boolean }
  | { readonly kind: 'noupdate'; readonly reason: 'up-to-date' | 'no-release' }
  | { readonly kind: 'hold'; readonly reason: HoldReason; readonly targetVersion: string | undefined }
  | { readonly kind: 'needs-rollout'; readonly query: RolloutQuery };

export interface CheckInput {
  readonly machineId: string;
  readonly version: string;
  readonly group: Group | undefined;
  readonly channel: Channel | undefined;
  readonly machine: MachineView | undefined;
  readonly now: Date;
  /** Absent on the first pass; the decision asks for it only when a grant is possible. */
  readonly rollout?: RolloutStats;
}

const hold = (reason: HoldReason, targetVersion?: string): CheckDecision => ({ kind: 'hold', reason, targetVersion });

/** Minutes since midnight of an HH:MM the schema has checked. */
const minutesOf = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));

/** True when `now` is within the office hours (in their own time zone). */
export function withinOfficeHours(hours: NonNullable<Group['policy']['officeHours']>, now: Date): boolean {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: hours.timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((each) => each.type === type)?.value ?? '';
  // en-US short weekdays are the resources' own names (Mon … Sun).
  const day = part('weekday');
  const minutes = Number(part('hour')) * 60 + Number(part('minute'));
  const start = minutesOf(hours.start);
  const end = minutesOf(hours.end);
  if (!hours.days.some((each) => each === day)) return false;
  return start <= end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
}

/** What the store counts for a group's rollout of `version` at `now`: the period and the timeout its policy sets. */
export function rolloutQuery(group: Group, version: string, now: Date): RolloutQuery {
  return {
    track: group.track,
    version,
    periodStart: new Date(now.getTime() - group.policy.periodSeconds * 1000),
    timeoutBefore: new Date(now.getTime() - group.policy.updateTimeoutSeconds * 1000),
  };
}

export function decideCheck(input: CheckInput): CheckDecision {
  const { group, channel, machine, now } = input;
  if (input.machineId === '') return hold('missing-machine-id');
  if (group === undefined || channel === undefined) return hold('unknown-group');
  if (parseVersion(input.version) === undefined) return hold('invalid-version');
  const release = channel.release;
  if (release === undefined) return { kind: 'noupdate', reason: 'no-release' };
  // Never offer the running version or an older one: update_engine does not compare them itself.
  if (!isNewer(release.version, input.version)) return { kind: 'noupdate', reason: 'up-to-date' };
  const policy = group.policy;
  const query = rolloutQuery(group, release.version, now);
  const { timeoutBefore } = query;
  const ownTarget = machine?.targetVersion === release.version;
  // A machine already on its way to this release gets the same answer again, without counting twice.
  if (
    ownTarget &&
    machine?.state !== undefined &&
    IN_PROGRESS_STATES.includes(machine.state) &&
    machine.grantedAt !== undefined &&
    machine.grantedAt >= timeoutBefore
  )
    return { kind: 'grant', release, group, regrant: true };
  if (!policy.enabled) return hold('updates-disabled', release.version);
  // A failure or rollback on this release is final for the machine: it is never offered again in a loop.
  if (ownTarget && machine?.state === 'error') return hold('failed-before', release.version);
  if (policy.officeHours !== undefined && !withinOfficeHours(policy.officeHours, now))
    return hold('outside-office-hours', release.version);
  const rollout = input.rollout;
  if (rollout === undefined) return { kind: 'needs-rollout', query };
  if (rollout.timedOut >= policy.maxTimedOut) return hold('timed-out-limit', release.version);
  if (policy.safeMode && rollout.completed === 0 && rollout.inProgress + rollout.timedOut + rollout.failed > 0)
    return hold('safe-mode', release.version);
  if (rollout.inProgress >= policy.maxInProgress) return hold('concurrency-limit', release.version);
  if (rollout.grantedInPeriod >= policy.maxUpdatesPerPeriod) return hold('period-limit', release.version);
  return { kind: 'grant', release, group, regrant: false };
}
