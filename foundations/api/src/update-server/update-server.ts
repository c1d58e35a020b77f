// The update server's configuration as custom resources, so that GitOps owns
// it: an UpdateRelease (one OS release and its payload), an UpdateChannel
// (a name pointing at a release) and an UpdateGroup (the track update_engine
// sends, a channel, and the rollout policy). Each rule is written once for
// zod and for the API server (see ../crd/schema-rules.ts).
import { z } from 'zod';
import { kubernetes } from '../crd/schema-rules.ts';
import { TIME_ZONES, isTimeZone } from '../update-policy/time-zones.ts';
import { TIME_OF_DAY_PATTERN } from '../update-policy/update-policy.ts';
import { WEEKDAYS } from '../update-policy/weekdays.ts';
import { conditionsSchema } from '../etcd/common.ts';

const API = { group: 'update.strata.dev', version: 'v1alpha1', apiVersion: 'update.strata.dev/v1alpha1' } as const;

export const UPDATE_RELEASE = {
  ...API,
  kind: 'UpdateRelease',
  listKind: 'UpdateReleaseList',
  plural: 'updatereleases',
  singular: 'updaterelease',
} as const;
export const UPDATE_CHANNEL = {
  ...API,
  kind: 'UpdateChannel',
  listKind: 'UpdateChannelList',
  plural: 'updatechannels',
  singular: 'updatechannel',
} as const;
export const UPDATE_GROUP = {
  ...API,
  kind: 'UpdateGroup',
  listKind: 'UpdateGroupList',
  plural: 'updategroups',
  singular: 'updategroup',
} as const;

/** A Container Linux version: MAJOR.MINOR.PATCH, optionally a build suffix (3340.0.0+nightly-20220823-2100). */
export const OS_VERSION_PATTERN = '^[0-9]{1,9}([.][0-9]{1,9}){0,3}([+-][0-9A-Za-z.+_-]{0,64})?$';
/** http(s), naming a file (not ending in /), without query or fragment: update_engine joins codebase and name. */
export const PAYLOAD_URL_PATTERN = '^https?://[^\\s?#]+[^/\\s?#]$';
/**
 * On an UpdateRelease: the base URL (ending in /) under which a simulated payload server serves every version's
 * payload (the local platform's simulated machines; `<base><version>/flatcar_production_update.gz`). In a cluster
 * whose releases carry it, `strata update promote <version>` publishes the release of a version none has yet.
 */
export const SIMULATED_PAYLOADS_ANNOTATION = 'update.strata.dev/simulated-payloads';
/** The update server's default channels (Flatcar's own), rendered into every cluster. */
export const UPDATE_CHANNEL_NAMES = ['alpha', 'beta', 'stable'] as const;
const DNS_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$';
const DNS_LABEL_MESSAGE = 'must be a lowercase DNS label (a-z, 0-9, -), at most 63 characters';

const dnsLabel = z.string().max(63, DNS_LABEL_MESSAGE).regex(new RegExp(DNS_LABEL_PATTERN), DNS_LABEL_MESSAGE);

export const updateReleaseSpecSchema = kubernetes(
  z
    .strictObject({
      version: z
        .string()
        .max(96)
        .regex(new RegExp(OS_VERSION_PATTERN), 'must be a Container Linux version such as 3374.2.1')
        .describe('The OS version machines run after this update, e.g. 3374.2.1.'),
      payloadUrl: z
        .string()
        .max(2048)
        .regex(
          new RegExp(PAYLOAD_URL_PATTERN),
          'must be an http or https URL naming a file, without a query or fragment',
        )
        .describe("Where machines download the payload; the last path segment is the package's name."),
      sha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits')
        .describe("The payload's SHA-256, which update_engine verifies."),
      sha1: z
        .string()
        .regex(/^[0-9a-f]{40}$/, 'must be 40 lowercase hex digits')
        .describe("The payload's SHA-1 (Omaha's package hash)."),
      size: z.int('must be a whole number of bytes').min(1, 'must be at least 1 byte').describe('Payload size, bytes.'),
    })
    .describe('One OS release and its payload. Immutable: publish a new release rather than change one.'),
  {
    rules: [
      {
        // Machines that downloaded the payload verified it against this sha256; changing it under them would make
        // the server and the fleet disagree about what was installed.
        rule: 'self == oldSelf',
        message: 'is immutable: publish a new UpdateRelease instead',
        holds: () => true,
      },
    ],
  },
);

export const updateChannelSpecSchema = z
  .strictObject({
    release: z
      .string()
      .max(253)
      .regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'must be the name of an UpdateRelease')
      .optional()
      .describe('The UpdateRelease this channel offers; none offers nothing.'),
  })
  .describe('A channel (stable, beta, alpha or your own) pointing at a release.');

const OFFICE_HOURS_MESSAGE = 'must differ from start: the window would be empty';
const timeOfDay = z.string().regex(new RegExp(TIME_OF_DAY_PATTERN), 'must be a 24-hour time of day as HH:MM');

export const officeHoursSchema = kubernetes(
  z
    .strictObject({
      timeZone: kubernetes(z.string().max(64), {
        rules: [
          {
            rule: `self in [${TIME_ZONES.map((name) => `'${name}'`).join(', ')}]`,
            message: 'must be an IANA time zone name such as Europe/Berlin, America/New_York or UTC',
            holds: isTimeZone,
          },
        ],
      }).describe('IANA time zone of start, end and days.'),
      start: timeOfDay.describe('Local time at which grants may start, HH:MM.'),
      end: timeOfDay.describe('Local time at which grants stop, HH:MM; before start, the window spans midnight.'),
      days: kubernetes(
        z
          .array(z.enum(WEEKDAYS, { error: `must be one of ${WEEKDAYS.join(', ')}` }))
          .min(1, 'must name at least one day')
          .max(WEEKDAYS.length),
        { listType: 'set' },
      )
        .default([...WEEKDAYS])
        .describe('Days on which the window opens, in its time zone.'),
    })
    .describe('When updates may be granted.'),
  {
    rules: [
      {
        rule: 'self.start != self.end',
        message: OFFICE_HOURS_MESSAGE,
        fieldPath: '.end',
        holds: (hours) => hours.start !== hours.end,
      },
    ],
  },
);

export const UPDATE_GROUP_POLICY_DEFAULTS = {
  enabled: true,
  safeMode: false,
  maxUpdatesPerPeriod: 10,
  periodSeconds: 3600,
  maxInProgress: 5,
  maxTimedOut: 1,
  updateTimeoutSeconds: 3600,
} as const;

const count = (what: string) => z.int(`must be a whole number of ${what}`).min(1, `must be at least 1`);

export const updateGroupPolicySchema = z
  .strictObject({
    enabled: z.boolean().default(UPDATE_GROUP_POLICY_DEFAULTS.enabled).describe('Whether updates are granted at all.'),
    safeMode: z
      .boolean()
      .default(UPDATE_GROUP_POLICY_DEFAULTS.safeMode)
      .describe('One machine first; the rest only after it reports success.'),
    maxUpdatesPerPeriod: count('updates')
      .default(UPDATE_GROUP_POLICY_DEFAULTS.maxUpdatesPerPeriod)
      .describe('At most this many grants per period.'),
    periodSeconds: z
      .int('must be a whole number of seconds')
      .min(60, 'must be at least 60 seconds')
      .max(31 * 86400, 'must be at most 31 days')
      .default(UPDATE_GROUP_POLICY_DEFAULTS.periodSeconds)
      .describe('The period of maxUpdatesPerPeriod, in seconds.'),
    maxInProgress: count('machines')
      .default(UPDATE_GROUP_POLICY_DEFAULTS.maxInProgress)
      .describe('At most this many machines granted and not yet complete.'),
    maxTimedOut: count('machines')
      .default(UPDATE_GROUP_POLICY_DEFAULTS.maxTimedOut)
      .describe('The rollout stops when this many grants have timed out.'),
    updateTimeoutSeconds: z
      .int('must be a whole number of seconds')
      .min(60, 'must be at least 60 seconds')
      .default(UPDATE_GROUP_POLICY_DEFAULTS.updateTimeoutSeconds)
      .describe('A grant not complete after this long counts as timed out.'),
    officeHours: officeHoursSchema.optional(),
  })
  .describe("The group's rollout policy.");

export const updateGroupSpecSchema = z
  .strictObject({
    track: z
      .string()
      .min(1, 'must not be empty')
      .max(256, 'must be at most 256 characters')
      .describe('What update_engine sends as track (GROUP= in /etc/flatcar/update.conf).'),
    channel: dnsLabel.describe('The UpdateChannel the group follows.'),
    policy: updateGroupPolicySchema.prefault({}),
  })
  .describe('Machines that send this track, the channel they follow, and how fast they move.');

/**
 * `Resolved`: every reference the resource makes exists and agrees with the
 * others (a group's channel, a channel's release, a group's track used once).
 * False names the field in its message, e.g. `spec.channel: …`.
 */
export const UPDATE_SERVER_CONDITIONS = ['Resolved'] as const;
export const UPDATE_SERVER_REASONS = ['Resolved', 'UnknownChannel', 'UnknownRelease', 'DuplicateTrack'] as const;
export type UpdateServerReason = (typeof UPDATE_SERVER_REASONS)[number];

const machineCount = z.int().min(0);

export const updateChannelStatusSchema = z
  .strictObject({
    observedGeneration: z.int().min(0).optional(),
    conditions: conditionsSchema(UPDATE_SERVER_CONDITIONS).optional(),
    version: z.string().max(96).optional().describe("The version the channel offers: its release's."),
  })
  .describe('What the update server made of the channel.');

export const updateGroupRolloutSchema = z
  .strictObject({
    version: z.string().max(96).describe('The version being rolled out: the channel release.'),
    inProgress: machineCount.describe('Granted, not yet complete, within the update timeout.'),
    timedOut: machineCount.describe('Granted, not complete, past the update timeout.'),
    completed: machineCount.describe('Reported the update complete.'),
    failed: machineCount.describe('Reported an error or a rollback of this version.'),
    grantedInPeriod: machineCount.describe('Grants in the current period (maxUpdatesPerPeriod).'),
  })
  .describe("The group's rollout of its channel's release.");

export const updateGroupStatusSchema = z
  .strictObject({
    observedGeneration: z.int().min(0).optional(),
    conditions: conditionsSchema(UPDATE_SERVER_CONDITIONS).optional(),
    machines: machineCount.optional().describe('Machines that last checked in with this track.'),
    versions: kubernetes(
      z
        .array(z.strictObject({ version: z.string().max(96), machines: machineCount }))
        .max(64)
        .describe('How many machines run each version, most machines first.'),
      { listType: { map: ['version'] } },
    ).optional(),
    rollout: updateGroupRolloutSchema.optional(),
  })
  .describe('What the update server counts for the group.');

export type UpdateChannelStatus = z.output<typeof updateChannelStatusSchema>;
export type UpdateGroupStatus = z.output<typeof updateGroupStatusSchema>;
export type UpdateGroupRollout = z.output<typeof updateGroupRolloutSchema>;
export type UpdateServerCondition = NonNullable<UpdateGroupStatus['conditions']>[number];

export type UpdateReleaseSpec = z.output<typeof updateReleaseSpecSchema>;
export type UpdateChannelSpec = z.output<typeof updateChannelSpecSchema>;
export type UpdateGroupSpec = z.output<typeof updateGroupSpecSchema>;
export type UpdateGroupPolicy = z.output<typeof updateGroupPolicySchema>;
export type UpdateGroupPolicyInput = z.input<typeof updateGroupPolicySchema>;
export type OfficeHours = z.output<typeof officeHoursSchema>;
