// Channels, groups and their rollout policy: what the update server offers to
// whom, and how fast. The release and group schemas are the custom resources'
// own (UpdateRelease, UpdateGroup in @strata/api), so the API server and the
// update server refuse the same things; a channel here has its release
// resolved.
import { z } from 'zod';
import { UpdateModelError } from '../errors.ts';
import type { Offer } from '@strata/omaha';
import { updateGroupPolicySchema, updateGroupSpecSchema, updateReleaseSpecSchema } from '@strata/api';

const name = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a lowercase DNS label (a-z, 0-9, -), at most 63 characters');

/** A release as the update server offers it: an UpdateRelease's spec. */
export const releaseSchema = updateReleaseSpecSchema;
export type Release = z.infer<typeof releaseSchema>;

/** A channel with its release resolved (an UpdateChannel whose `release` names an UpdateRelease). */
export const channelSchema = z.strictObject({
  name,
  /** A channel without a release offers nothing. */
  release: releaseSchema.optional(),
});
export type Channel = z.infer<typeof channelSchema>;

export const rolloutPolicySchema = updateGroupPolicySchema;
export type RolloutPolicy = z.infer<typeof rolloutPolicySchema>;

/** An UpdateGroup: its name and its spec. */
export const groupSchema = updateGroupSpecSchema.extend({ name });
export type Group = z.infer<typeof groupSchema>;

export const catalogSchema = z.strictObject({
  channels: z.array(channelSchema),
  groups: z.array(groupSchema),
});
export type CatalogInput = z.input<typeof catalogSchema>;

/** Channels and groups, indexed for a check: a group by its track, a channel by its name. */
export interface Catalog {
  readonly groupByTrack: ReadonlyMap<string, Group>;
  readonly channelByName: ReadonlyMap<string, Channel>;
}

/** Parses channels and groups and checks that they agree: unique names and tracks, every group's channel exists. */
export function parseCatalog(input: unknown): Catalog {
  const parsed = catalogSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') ?? '';
    throw new UpdateModelError(`invalid update catalog at ${field}: ${issue?.message ?? ''}`, { field });
  }
  const channelByName = new Map<string, Channel>();
  for (const [index, channel] of parsed.data.channels.entries()) {
    if (channelByName.has(channel.name))
      throw new UpdateModelError(`channel ${channel.name} is defined twice`, { field: `channels.${index}.name` });
    channelByName.set(channel.name, channel);
  }
  const groupByTrack = new Map<string, Group>();
  const groupNames = new Set<string>();
  for (const [index, group] of parsed.data.groups.entries()) {
    if (groupNames.has(group.name))
      throw new UpdateModelError(`group ${group.name} is defined twice`, { field: `groups.${index}.name` });
    if (groupByTrack.has(group.track))
      throw new UpdateModelError(`track ${group.track} belongs to two groups`, { field: `groups.${index}.track` });
    if (!channelByName.has(group.channel))
      throw new UpdateModelError(`group ${group.name} follows channel ${group.channel}, which does not exist`, {
        field: `groups.${index}.channel`,
      });
    groupNames.add(group.name);
    groupByTrack.set(group.track, group);
  }
  return { groupByTrack, channelByName };
}

const hexToBase64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

/** A release in update_engine's terms: the payload URL split into codebase (ending in `/`) and package name. */
export function offerFor(release: Release): Offer {
  const url = new URL(release.payloadUrl);
  const slash = url.pathname.lastIndexOf('/');
  const packageName = decodeURIComponent(url.pathname.slice(slash + 1));
  url.pathname = url.pathname.slice(0, slash + 1);
  return {
    version: release.version,
    codebase: url.toString(),
    packageName,
    sha1Base64: hexToBase64(release.sha1),
    sha256Base64: hexToBase64(release.sha256),
    size: release.size,
  };
}
