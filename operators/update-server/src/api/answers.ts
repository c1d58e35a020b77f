// The JSON API's answers as a client reads them: `strata update`, the console
// and the tests parse what the server sent with these, never cast it. Loose
// objects, so a newer server's extra fields do not break an older client.
import { z } from 'zod';
import { updateGroupPolicySchema, updateGroupRolloutSchema } from '@strata/api';
import { MACHINE_STATES } from '../policy/machine.ts';

const count = z.int().min(0);
const resolvedSchema = z.looseObject({ status: z.string(), reason: z.string(), message: z.string() }).nullable();

export const apiErrorAnswerSchema = z.object({
  error: z.looseObject({
    code: z.int(),
    reason: z.string(),
    message: z.string(),
    field: z.string().optional(),
  }),
});

export const apiGroupAnswerSchema = z.looseObject({
  name: z.string(),
  track: z.string(),
  channel: z.string(),
  paused: z.boolean(),
  resolved: resolvedSchema,
  policy: updateGroupPolicySchema,
  machines: count,
  versions: z.array(z.object({ version: z.string(), machines: count })),
  rollout: updateGroupRolloutSchema.nullable(),
});
export type ApiGroupAnswer = z.output<typeof apiGroupAnswerSchema>;

export const apiGroupsAnswerSchema = z.object({ items: z.array(apiGroupAnswerSchema) });

export const apiChannelAnswerSchema = z.looseObject({
  name: z.string(),
  release: z.string().nullable(),
  version: z.string().nullable(),
  resolved: resolvedSchema,
});
export const apiChannelsAnswerSchema = z.object({ items: z.array(apiChannelAnswerSchema) });

export const apiMachineAnswerSchema = z.looseObject({
  machineId: z.string(),
  alias: z.string(),
  track: z.string(),
  currentVersion: z.string(),
  targetVersion: z.string().nullable(),
  state: z.enum(MACHINE_STATES).nullable(),
  holdReason: z.string().nullable(),
  lastErrorCode: z.int().nullable(),
  grantedAt: z.string().nullable(),
  lastCheckAt: z.string(),
});
export type ApiMachineAnswer = z.output<typeof apiMachineAnswerSchema>;

export const apiMachinesAnswerSchema = z.object({
  items: z.array(apiMachineAnswerSchema),
  continue: z.string().nullable(),
});
export type ApiMachinesAnswer = z.output<typeof apiMachinesAnswerSchema>;

export const apiTimelineEntrySchema = z.looseObject({
  at: z.string(),
  state: z.enum(MACHINE_STATES),
  version: z.string(),
  /** The hold reason, or the base error code of an error ("44 rollback"); empty otherwise. */
  detail: z.string(),
});
export type ApiTimelineEntry = z.output<typeof apiTimelineEntrySchema>;

/** `GET /machines/<id>`: the machine, its group (null when no group has its track now) and its history, oldest first. */
export const apiMachineDetailAnswerSchema = apiMachineAnswerSchema.extend({
  group: z.string().nullable(),
  timeline: z.array(apiTimelineEntrySchema),
});
export type ApiMachineDetailAnswer = z.output<typeof apiMachineDetailAnswerSchema>;

export const apiPromotionAnswerSchema = z.looseObject({
  channel: z.string(),
  release: z.string(),
  version: z.string(),
});
export type ApiPromotionAnswer = z.output<typeof apiPromotionAnswerSchema>;

export const apiPauseAnswerSchema = z.looseObject({ name: z.string(), paused: z.boolean() });

// What a client sends, beside what it reads: the console's promotion form checks its body with the server's own schema.
export { promoteBodySchema, type PromoteBody } from './schemas.ts';

// The change feed (GET /watch, Server-Sent Events; ADR 0073). Each event's data is one of these, by its event type.
const sequence = z.int().min(0);

/** `change`: what changed since the event before, for the client to re-read; `machines: null` means many did. */
export const feedChangeSchema = z.looseObject({
  sequence,
  groups: z.array(z.string()),
  channels: z.array(z.string()),
  machines: z.array(z.string()).nullable(),
});
export type FeedChange = z.output<typeof feedChangeSchema>;

/**
 * `ready`: the stream is open, and what was missed since Last-Event-ID came before it; `resync`: events were missed
 * that the server no longer has, re-read everything shown.
 */
export const feedReadySchema = z.looseObject({ sequence });
export const feedResyncSchema = z.looseObject({ sequence, reason: z.string() });

/** A feed event as the client's follow() hands it on: its type, its ID (the resume point) and its data. */
export type FeedEvent =
  | { readonly type: 'ready'; readonly id: string; readonly sequence: number }
  | { readonly type: 'change'; readonly id: string; readonly change: FeedChange }
  | { readonly type: 'resync'; readonly id: string; readonly reason: string };
