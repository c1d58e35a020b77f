// Channels, groups and their rollout policy: what the update server offers to
// whom, and how fast. Parsed with zod at the edge; everything after works on
// the inferred types. The custom resources that will carry them come later and
// reuse these schemas.
import { z } from 'zod';
import { UpdateModelError } from '../errors.ts';
import type { Offer } from '../omaha/response.ts';
import { parseVersion } from './version.ts';

const name = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a lowercase DNS label (a-z, 0-9, -), at most 63 characters');

export const releaseSchema = z.strictObject({
  version: z.string().refine((value) => parseVersion(value) !== undefined, 'a version such as 3374.2.1'),
  /** Where machines download the payload; the last path segment is the package's name. */
  payloadUrl: z
    .url({ protocol: /^https?$/ })
    .refine((value) => !new URL(value).pathname.endsWith('/'), 'a URL that names a file, not a directory')
    // update_engine joins codebase and package name; a query or fragment would be lost between them.
    .refine((value) => !/[?#]/.test(value), 'a URL without a query or fragment'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits'),
  sha1: z.string().regex(/^[0-9a-f]{40}$/, '40 lowercase hex digits'),
  size: z.number().int().positive(),
});
export type Release = z.infer<typeof releaseSchema>;

export const channelSchema = z.strictObject({
  name,
  /** A channel without a release offers nothing. */
  release: releaseSchema.optional(),
});
export type Channel = z.infer<typeof channelSchema>;

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour');
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

export const officeHoursSchema = z.strictObject({
  timeZone: z.string().refine((zone) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'an IANA time zone such as Europe/Berlin'),
  /** Start and end of the window; an end before the start spans midnight. */
  start: clock,
  end: clock,
  days: z
    .array(z.enum(WEEKDAYS))
    .min(1)
    .default([...WEEKDAYS]),
});
export type OfficeHours = z.infer<typeof officeHoursSchema>;

export const rolloutPolicySchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** One machine first; the rest only after it reports success. */
  safeMode: z.boolean().default(false),
  maxUpdatesPerPeriod: z.number().int().positive().default(10),
  periodSeconds: z.number().int().min(60).default(3600),
  maxInProgress: z.number().int().positive().default(5),
  /** The rollout stops when this many granted updates have timed out. */
  maxTimedOut: z.number().int().positive().default(1),
  /** A granted update not complete after this long counts as timed out. */
  updateTimeoutSeconds: z.number().int().min(60).default(3600),
  officeHours: officeHoursSchema.optional(),
});
export type RolloutPolicy = z.infer<typeof rolloutPolicySchema>;

export const groupSchema = z.strictObject({
  name,
  /** What update_engine sends as `track` (GROUP= in update.conf). */
  track: z.string().min(1).max(256),
  channel: name,
  policy: rolloutPolicySchema.default(rolloutPolicySchema.parse({})),
});
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
