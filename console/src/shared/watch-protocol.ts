// The one Server-Sent Events stream per tab (/api/watch): the browser names the resources it subscribes to in the
// query, and each message says which resource it is about. A snapshot replaces the resource's rows (the first list,
// and again after any relist the server makes); a change updates one row in place.
import { z } from 'zod';
import { nodeRowSchema } from './node-row.ts';
import { rolloutRowSchema } from './rollout-row.ts';
import { updatePolicyRowSchema } from './update-policy-row.ts';

export const WATCH_PATH = '/api/watch';
/**
 * Each resource and the row the server projects its objects to. `rollout` is the Nodes again, projected for the OS
 * updates page (a page subscribes to one projection or the other, so a tab usually holds one watch of nodes).
 */
export const ROW_SCHEMAS = {
  nodes: nodeRowSchema,
  rollout: rolloutRowSchema,
  updatepolicies: updatePolicyRowSchema,
} as const;
export const RESOURCE_KINDS = [
  'nodes',
  'rollout',
  'updatepolicies',
] as const satisfies readonly (keyof typeof ROW_SCHEMAS)[];
export const resourceKindSchema = z.enum(RESOURCE_KINDS);
export type ResourceKind = z.infer<typeof resourceKindSchema>;
export type RowOf<K extends ResourceKind> = z.infer<(typeof ROW_SCHEMAS)[K]>;

/** The query parameter's value: resource kinds, comma-separated, each once. */
export const subscriptionSchema = z
  .string()
  .max(200)
  .transform((value) => value.split(','))
  .pipe(z.array(resourceKindSchema).min(1))
  .refine((kinds) => new Set(kinds).size === kinds.length, { error: 'a resource is named twice' });

function rowEvents<K extends ResourceKind, S extends z.ZodType>(resource: K, row: S) {
  return [
    z.strictObject({ type: z.literal('snapshot'), resource: z.literal(resource), rows: z.array(row) }),
    z.strictObject({ type: z.literal('upsert'), resource: z.literal(resource), row }),
    z.strictObject({ type: z.literal('delete'), resource: z.literal(resource), name: z.string() }),
  ] as const;
}

export const watchEventSchema = z.union([
  ...rowEvents('nodes', ROW_SCHEMAS.nodes),
  ...rowEvents('rollout', ROW_SCHEMAS.rollout),
  ...rowEvents('updatepolicies', ROW_SCHEMAS.updatepolicies),
  /** The server's list or watch failed and it retries; `status` is the API server's HTTP status when it answered. */
  z.strictObject({
    type: z.literal('error'),
    resource: resourceKindSchema,
    status: z.number().int().optional(),
    message: z.string(),
  }),
]);
export type WatchEvent = z.infer<typeof watchEventSchema>;
export type ErrorEvent = Extract<WatchEvent, { type: 'error' }>;
/** The events about one resource, as code generic in the resource sees them. */
export type WatchEventOf<K extends ResourceKind> =
  | { readonly type: 'snapshot'; readonly resource: K; readonly rows: readonly RowOf<K>[] }
  | { readonly type: 'upsert'; readonly resource: K; readonly row: RowOf<K> }
  | { readonly type: 'delete'; readonly resource: K; readonly name: string }
  | ErrorEvent;
