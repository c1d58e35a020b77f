// What the update server's pages show, as pure functions of the JSON API's parsed answers (the update server's own
// zod schemas), so that the words are tested apart from the pages.
import type { ApiGroupAnswer, ApiMachineAnswer, ApiTimelineEntry } from '@strata/update-server/answers';

export interface RolloutProgress {
  /** The version being rolled out (the channel's release), or null when the channel offers none. */
  readonly version: string | null;
  /** Machines that run it now, and all the group's machines: what the progress bar shows. */
  readonly onVersion: number;
  readonly machines: number;
  readonly text: string;
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** How far the group's machines are on its channel's version, with what is under way, failed or timed out. */
export function rolloutProgress(group: ApiGroupAnswer): RolloutProgress {
  const rollout = group.rollout;
  if (rollout === null)
    return { version: null, onVersion: 0, machines: group.machines, text: 'No release to roll out' };
  const onVersion = group.versions.find((entry) => entry.version === rollout.version)?.machines ?? 0;
  const under = [
    ...(rollout.inProgress === 0 ? [] : [`${rollout.inProgress} in progress`]),
    ...(rollout.failed === 0 ? [] : [`${rollout.failed} failed`]),
    ...(rollout.timedOut === 0 ? [] : [`${rollout.timedOut} timed out`]),
  ];
  return {
    version: rollout.version,
    onVersion,
    machines: group.machines,
    text: `${onVersion} of ${plural(group.machines, 'machine')} on ${rollout.version}${under.length === 0 ? '' : `; ${under.join(', ')}`}`,
  };
}

/** The group's policy in a line: the limits the server grants by. */
export function policySummary(policy: ApiGroupAnswer['policy']): string {
  return [
    `${policy.maxInProgress} at a time`,
    `${plural(policy.maxUpdatesPerPeriod, 'update')} per ${policy.periodSeconds} s`,
    `stops at ${policy.maxTimedOut} timed out (after ${policy.updateTimeoutSeconds} s)`,
    ...(policy.safeMode ? ['safe mode (one machine first)'] : []),
    ...(policy.officeHours === undefined ? [] : ['office hours only']),
  ].join(', ');
}

/** Paused, a reference that does not resolve (in the server's words), or granting. */
export function groupState(group: Pick<ApiGroupAnswer, 'paused' | 'resolved'>): string {
  const parts = [
    ...(group.paused ? ['Paused'] : []),
    ...(group.resolved !== null && group.resolved.status !== 'True'
      ? [`Not resolved (${group.resolved.reason}): ${group.resolved.message}`]
      : []),
  ];
  return parts.length === 0 ? 'Granting updates' : parts.join('; ');
}

const STATE_WORDS: Readonly<Record<ApiTimelineEntry['state'], string>> = {
  granted: 'Update granted',
  downloading: 'Downloading',
  downloaded: 'Downloaded',
  installed: 'Installed, reboot pending',
  complete: 'Complete',
  error: 'Error',
  'on-hold': 'On hold',
};

export interface TimelineRow {
  readonly key: string;
  readonly at: string;
  readonly state: ApiTimelineEntry['state'];
  /** The event in words, with its version and its reason or error code where it has one. */
  readonly event: string;
}

const describeEvent = (entry: Pick<ApiTimelineEntry, 'state' | 'version' | 'detail'>): string => {
  const words = `${STATE_WORDS[entry.state]} (${entry.version})`;
  return entry.detail === '' ? words : `${words}: ${entry.detail}`;
};

/** A machine's events oldest first (the server sends them so; equal times keep its order). */
export function timelineRows(timeline: readonly ApiTimelineEntry[]): TimelineRow[] {
  return timeline
    .map((entry, index) => ({ entry, index, time: Date.parse(entry.at) }))
    .sort((a, b) => a.time - b.time || a.index - b.index)
    .map(({ entry, index }) => ({ key: `${index}`, at: entry.at, state: entry.state, event: describeEvent(entry) }));
}

/** A machine's last state in words, for the group's machine list. */
export function machineState(machine: ApiMachineAnswer): string {
  if (machine.state === null) return `On ${machine.currentVersion}, never granted`;
  const target = machine.targetVersion ?? machine.currentVersion;
  // A hold grants nothing, so the machine has no target: the version it stays on is its own.
  if (machine.state === 'on-hold')
    return `On hold${machine.holdReason === null ? '' : `: ${machine.holdReason}`} (on ${machine.currentVersion})`;
  if (machine.state === 'error')
    return `Error (${target})${machine.lastErrorCode === null ? '' : `: code ${machine.lastErrorCode}`}`;
  if (machine.state === 'complete') return `Complete (${machine.currentVersion})`;
  return `${STATE_WORDS[machine.state]} (${target})`;
}
