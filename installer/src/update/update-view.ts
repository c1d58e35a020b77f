// What `strata update` prints: the same records as plain tables for people and
// as JSON (--json) for scripts. The records are built here once, so the two
// outputs never disagree.
import type { UpdateGroupRollout } from '@strata/api';
import type {
  ApiGroupAnswer,
  ApiMachineAnswer,
  PauseChange,
  Promotion,
  UpdateChannelResource,
  UpdateGroupResource,
} from '@strata/update-server';

export interface ChannelRecord {
  readonly name: string;
  readonly release: string | null;
  readonly version: string | null;
  readonly resolved: string | null;
}

export interface GroupRecord {
  readonly name: string;
  readonly track: string;
  readonly channel: string;
  readonly paused: boolean;
  readonly safeMode: boolean;
  readonly machines: number | null;
  readonly versions: readonly { readonly version: string; readonly machines: number }[];
  readonly rollout: UpdateGroupRollout | null;
  /** Why the server left the group out of its catalog, when it did. */
  readonly problem: string | null;
  /** Where the figures come from: the group's status (recounted every 15 s) or the server's live answer. */
  readonly source: 'status' | 'server';
}

const resolvedCondition = (conditions: readonly { type: string; status: string; message?: string }[] | undefined) =>
  conditions?.find((condition) => condition.type === 'Resolved');

export function channelRecord(channel: UpdateChannelResource): ChannelRecord {
  return {
    name: channel.metadata.name,
    release: channel.spec.release ?? null,
    version: channel.status?.version ?? null,
    resolved: resolvedCondition(channel.status?.conditions)?.status ?? null,
  };
}

export function groupRecordFromStatus(group: UpdateGroupResource): GroupRecord {
  const resolved = resolvedCondition(group.status?.conditions);
  return {
    name: group.metadata.name,
    track: group.spec.track,
    channel: group.spec.channel,
    paused: !group.spec.policy.enabled,
    safeMode: group.spec.policy.safeMode,
    machines: group.status?.machines ?? null,
    versions: group.status?.versions ?? [],
    rollout: group.status?.rollout ?? null,
    problem: resolved?.status === 'False' ? (resolved.message ?? null) : null,
    source: 'status',
  };
}

export function groupRecordFromServer(group: ApiGroupAnswer): GroupRecord {
  return {
    name: group.name,
    track: group.track,
    channel: group.channel,
    paused: group.paused,
    safeMode: group.policy.safeMode,
    machines: group.machines,
    versions: group.versions,
    rollout: group.rollout,
    problem: group.resolved?.status === 'False' ? group.resolved.message : null,
    source: 'server',
  };
}

/** Columns padded to their widest cell; the last column is not padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

const dash = (value: string | number | null | undefined): string =>
  value === null || value === undefined || value === '' ? '-' : String(value);

export function formatChannels(channels: readonly ChannelRecord[]): string {
  if (channels.length === 0) return 'No UpdateChannels.\n';
  return table(
    ['CHANNEL', 'RELEASE', 'VERSION', 'RESOLVED'],
    channels.map((channel) => [channel.name, dash(channel.release), dash(channel.version), dash(channel.resolved)]),
  );
}

const rolloutCell = (rollout: UpdateGroupRollout | null) =>
  rollout === null ? '-' : `${rollout.version}: ${rollout.completed} done, ${rollout.inProgress} in progress`;

export function formatGroups(groups: readonly GroupRecord[]): string {
  if (groups.length === 0) return 'No UpdateGroups.\n';
  return table(
    ['GROUP', 'TRACK', 'CHANNEL', 'PAUSED', 'MACHINES', 'ROLLOUT'],
    groups.map((group) => [
      group.name,
      group.track,
      group.channel,
      group.paused ? 'yes' : 'no',
      dash(group.machines),
      group.problem === null ? rolloutCell(group.rollout) : `not served: ${group.problem}`,
    ]),
  );
}

export function formatStatus(groups: readonly GroupRecord[]): string {
  if (groups.length === 0) return 'No UpdateGroups.\n';
  return groups
    .map((group) => {
      const lines = [
        `Group ${group.name}: track ${group.track}, channel ${group.channel}${group.paused ? ', PAUSED' : ''}${group.safeMode ? ', safe mode' : ''}`,
      ];
      if (group.problem !== null) lines.push(`  not served: ${group.problem}`);
      lines.push(`  machines: ${group.machines === null ? 'not counted yet' : group.machines}`);
      if (group.versions.length > 0)
        lines.push(
          `  versions: ${group.versions.map(({ version, machines }) => `${version} on ${machines}`).join(', ')}`,
        );
      const rollout = group.rollout;
      lines.push(
        rollout === null
          ? '  rollout: none (the channel offers no release)'
          : `  rollout of ${rollout.version}: ${rollout.completed} completed, ${rollout.inProgress} in progress, ${rollout.timedOut} timed out, ${rollout.failed} failed; ${rollout.grantedInPeriod} granted in this period`,
      );
      return lines.join('\n');
    })
    .join('\n\n')
    .concat(
      '\n',
      groups.some((group) => group.source === 'status')
        ? '(from the groups’ status, which the update server recounts every 15 s)\n'
        : '',
    );
}

export function formatMachines(machines: readonly ApiMachineAnswer[], next: string | null): string {
  const rows = machines.map((machine) => [
    machine.machineId,
    dash(machine.alias),
    machine.currentVersion,
    dash(machine.state),
    dash(machine.targetVersion),
    dash(machine.holdReason),
    machine.lastCheckAt,
  ]);
  const body =
    machines.length === 0
      ? 'No machines.\n'
      : table(['MACHINE', 'ALIAS', 'VERSION', 'STATE', 'TARGET', 'HOLD', 'LAST CHECK'], rows);
  return next === null ? body : `${body}(more machines: add --continue ${next})\n`;
}

export function formatPromotion(
  promotion: Promotion,
  published?: { readonly name: string; readonly payloadUrl: string },
): string {
  const publishedLine =
    published === undefined
      ? ''
      : `Published UpdateRelease ${published.name} (the simulated payload at ${published.payloadUrl}).\n`;
  if (!promotion.changed)
    return `${publishedLine}Channel ${promotion.channel} already offers ${promotion.version} (UpdateRelease ${promotion.release}); nothing changed.\n`;
  return `${publishedLine}Promoted ${promotion.version} (UpdateRelease ${promotion.release}) to channel ${promotion.channel}${promotion.previousRelease === null ? '' : `, in place of ${promotion.previousRelease}`}. Every group following ${promotion.channel} rolls it out within its policy; watch with: strata update status\n`;
}
export function formatPause(change: PauseChange): string {
  const state = change.paused ? 'paused' : 'resumed';
  if (!change.changed) return `Group ${change.group} is already ${state}; nothing changed.\n`;
  return change.paused
    ? `Paused group ${change.group}: no machine gets a new update; those already granted finish theirs.\n`
    : `Resumed group ${change.group}: its machines get updates again within its policy.\n`;
}
