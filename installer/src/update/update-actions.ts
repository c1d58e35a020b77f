// What each `strata update` subcommand does once its flags parsed: it reads or
// changes the update server's custom resources with the user's kubeconfig, or
// reads the server's JSON API with the same credentials, and prints.
import { UpdateResources } from '@strata/update-server';
import {
  apiGroupAnswerSchema,
  apiGroupsAnswerSchema,
  apiMachinesAnswerSchema,
  type ApiMachinesAnswer,
} from '@strata/update-server';
import type { PauseOptions, PromoteOptions, StatusOptions, TargetOptions } from './update-options.ts';
import { publishSimulatedRelease } from './simulated-release.ts';
import { updateTarget, UpdateServerReader } from './update-target.ts';
import {
  channelRecord,
  formatChannels,
  formatGroups,
  formatMachines,
  formatPause,
  formatPromotion,
  formatStatus,
  groupRecordFromServer,
  groupRecordFromStatus,
  type GroupRecord,
} from './update-view.ts';

export interface Output {
  write(text: string): void;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export async function listChannels(options: TargetOptions, out: Output): Promise<void> {
  const resources = new UpdateResources((await updateTarget(options)).kubeConfig);
  const channels = (await resources.channels()).map(channelRecord);
  out.write(options.json ? json({ channels }) : formatChannels(channels));
}

export async function listGroups(options: TargetOptions, out: Output): Promise<void> {
  const resources = new UpdateResources((await updateTarget(options)).kubeConfig);
  const groups = (await resources.groups()).map(groupRecordFromStatus);
  out.write(options.json ? json({ groups }) : formatGroups(groups));
}

/**
 * Points the channel at the release; on a cluster of simulated machines (`strata up`), a version no UpdateRelease
 * has yet is published first, with the payload `strata up` serves for it.
 */
export async function promote(options: PromoteOptions, out: Output): Promise<void> {
  const resources = new UpdateResources((await updateTarget(options)).kubeConfig);
  // The channel first: a typo in --channel must not publish a release on its way to failing.
  await resources.channel(options.channel);
  const published =
    options.version === undefined ? undefined : await publishSimulatedRelease(resources, options.version);
  const promotion = await resources.promote(
    options.channel,
    options.release !== undefined ? { release: options.release } : { version: options.version ?? '' },
  );
  out.write(
    options.json ? json({ ...promotion, published: published ?? null }) : formatPromotion(promotion, published),
  );
}

export async function setPaused(options: PauseOptions, paused: boolean, out: Output): Promise<void> {
  const resources = new UpdateResources((await updateTarget(options)).kubeConfig);
  const change = await resources.setPaused(options.group, paused);
  out.write(options.json ? json(change) : formatPause(change));
}

/**
 * The groups' version breakdown and rollout progress: live from the server's
 * JSON API with --server (and its machines with --machines), else from the
 * groups' status, which the server recounts every 15 s.
 */
export async function status(options: StatusOptions, out: Output): Promise<void> {
  const target = await updateTarget(options);
  let groups: GroupRecord[];
  let machines: ApiMachinesAnswer | undefined;
  if (options.server === undefined) {
    const resources = new UpdateResources(target.kubeConfig);
    groups =
      options.group === undefined
        ? (await resources.groups()).map(groupRecordFromStatus)
        : [groupRecordFromStatus(await resources.group(options.group))];
  } else {
    const reader = await UpdateServerReader.connect(target, {
      server: options.server,
      ...(options.serverCaFile === undefined ? {} : { serverCaFile: options.serverCaFile }),
    });
    groups =
      options.group === undefined
        ? (await reader.get('/groups', apiGroupsAnswerSchema)).items.map(groupRecordFromServer)
        : [groupRecordFromServer(await reader.get(`/groups/${options.group}`, apiGroupAnswerSchema))];
    if (options.machines) {
      const query = new URLSearchParams({ limit: String(options.limit) });
      if (options.group !== undefined) query.set('group', options.group);
      if (options.state !== undefined) query.set('state', options.state);
      if (options.running !== undefined) query.set('version', options.running);
      if (options.continue !== undefined) query.set('continue', options.continue);
      machines = await reader.get(`/machines?${query.toString()}`, apiMachinesAnswerSchema);
    }
  }
  if (options.json) {
    out.write(json(machines === undefined ? { groups } : { groups, machines }));
    return;
  }
  out.write(formatStatus(groups));
  if (machines !== undefined) out.write(`\n${formatMachines(machines.items, machines.continue)}`);
}
