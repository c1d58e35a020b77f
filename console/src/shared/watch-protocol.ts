// The one Server-Sent Events stream per tab (/api/watch): the browser names the resources it subscribes to in the
// query, and each message says which resource it is about. A snapshot replaces the resource's rows (the first list,
// and again after any relist the server makes); a change updates one row in place.
import { z } from 'zod';
import { crdGroupSchema, crdPluralSchema, customRowSchema } from './custom-resources.ts';
import { etcdBackupRowSchema, etcdClusterRowSchema, eventRowSchema } from './etcd-rows.ts';
import { nodeDetailRowSchema, nodeNameSchema, podRowSchema } from './node-detail.ts';
import { nodeRowSchema } from './node-row.ts';
import { rolloutRowSchema } from './rollout-row.ts';
import { updatePolicyRowSchema } from './update-policy-row.ts';
import { WORKLOAD_KINDS, workloadRowSchema } from './workloads.ts';

export const WATCH_PATH = '/api/watch';
/**
 * `nodedetail`, `nodepods` and `nodeevents` are about one node, named in the query's `node` parameter (one per
 * stream: a tab shows one node page at a time): the Node with its conditions, the pods bound to it, and the Events
 * about it.
 * `rollout` is the Nodes again, projected for the OS updates page and the Overview's rollout progress (the Overview
 * holds both watches of nodes; the other pages one).
 * `customresources` is the objects of one served CRD, named in the query's `group` and `plural` (one per stream, as
 * the node): the server looks the CRD up as the user and refuses the stream unless it is one they can read.
 * `updateserver` is the update server's change feed (ADR 0073), followed with the user's token: what changed (groups,
 * channels, machines), for the update server's pages to read again; `resync` when changes were missed.
 */
export const RESOURCE_KINDS = [
  'nodes',
  'rollout',
  'updatepolicies',
  'etcdclusters',
  'etcdbackups',
  'warningevents',
  'nodedetail',
  'nodepods',
  'nodeevents',
  'customresources',
  'updateserver',
  ...WORKLOAD_KINDS,
] as const;
export const resourceKindSchema = z.enum(RESOURCE_KINDS);
export type ResourceKind = z.infer<typeof resourceKindSchema>;

/** The query parameter's value: resource kinds, comma-separated, each once. */
export const subscriptionSchema = z
  .string()
  .max(200)
  .transform((value) => value.split(','))
  .pipe(z.array(resourceKindSchema).min(1))
  .refine((kinds) => new Set(kinds).size === kinds.length, { error: 'a resource is named twice' });

/** The kinds that are about the one node the query names. */
export const NODE_SCOPED_KINDS: readonly ResourceKind[] = ['nodedetail', 'nodepods', 'nodeevents'];

/**
 * The query: the kinds, the node for the node-scoped ones, and the CRD's group and plural for `customresources`
 * (each required with its kinds, refused without them).
 */
export const subscriptionQuerySchema = z
  .strictObject({
    resources: subscriptionSchema,
    node: nodeNameSchema.optional(),
    group: crdGroupSchema.optional(),
    plural: crdPluralSchema.optional(),
  })
  .refine((query) => query.resources.some((kind) => NODE_SCOPED_KINDS.includes(kind)) === (query.node !== undefined), {
    error: 'node names the node of nodedetail, nodepods and nodeevents, and goes only with them',
  })
  .refine(
    (query) =>
      query.resources.includes('customresources') === (query.group !== undefined) &&
      (query.group !== undefined) === (query.plural !== undefined),
    { error: 'group and plural name the CRD of customresources, and go only with it' },
  );
export type SubscriptionQuery = z.infer<typeof subscriptionQuerySchema>;

/** A cluster-scoped resource's events: a delete names its row by name. */
function clusterEvents<const K extends ResourceKind, R extends z.ZodType>(resource: K, row: R) {
  return z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('snapshot'), resource: z.literal(resource), rows: z.array(row) }),
    z.strictObject({ type: z.literal('upsert'), resource: z.literal(resource), row }),
    z.strictObject({ type: z.literal('delete'), resource: z.literal(resource), name: z.string() }),
  ]);
}

/** A namespaced resource's events: a delete names its row by `namespace/name`. */
function namespacedEvents<const K extends ResourceKind, R extends z.ZodType>(resource: K, row: R) {
  return z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('snapshot'), resource: z.literal(resource), rows: z.array(row) }),
    z.strictObject({ type: z.literal('upsert'), resource: z.literal(resource), row }),
    z.strictObject({ type: z.literal('delete'), resource: z.literal(resource), key: z.string() }),
  ]);
}

/** How many names a change event carries at most (the update server's own bound is lower). */
const MAX_CHANGED_NAMES = 1000;
const changedNames = z.array(z.string().max(256)).max(MAX_CHANGED_NAMES);

export const watchEventSchema = z.union([
  clusterEvents('nodes', nodeRowSchema),
  clusterEvents('rollout', rolloutRowSchema),
  clusterEvents('updatepolicies', updatePolicyRowSchema),
  namespacedEvents('etcdclusters', etcdClusterRowSchema),
  namespacedEvents('etcdbackups', etcdBackupRowSchema),
  namespacedEvents('warningevents', eventRowSchema),
  clusterEvents('nodedetail', nodeDetailRowSchema),
  namespacedEvents('nodepods', podRowSchema),
  namespacedEvents('nodeevents', eventRowSchema),
  // A cluster-scoped custom resource's row has namespace '' (its key is `/name`), as a Namespace's.
  namespacedEvents('customresources', customRowSchema),
  // The Workloads pages' kinds: a Namespace's row has namespace '' (its key is `/name`).
  ...WORKLOAD_KINDS.map((kind) => namespacedEvents(kind, workloadRowSchema)),
  /** The update server's groups, channels and machines that changed; `machines: null` when many did. */
  z.strictObject({
    type: z.literal('change'),
    resource: z.literal('updateserver'),
    groups: changedNames,
    channels: changedNames,
    machines: changedNames.nullable(),
  }),
  /** The feed is open (again), and nothing was missed. */
  z.strictObject({ type: z.literal('ready'), resource: z.literal('updateserver') }),
  /** Changes were missed (the update server restarted, or the stream was away too long): read everything again. */
  z.strictObject({ type: z.literal('resync'), resource: z.literal('updateserver') }),
  /** The server's list or watch failed and it retries; `status` is the API server's HTTP status when it answered. */
  z.strictObject({
    type: z.literal('error'),
    resource: resourceKindSchema,
    status: z.number().int().optional(),
    message: z.string(),
  }),
]);
export type WatchEvent = z.infer<typeof watchEventSchema>;

/** The events a subscriber to `K` receives: its own resource's, and the errors about it. */
export type EventOf<K extends ResourceKind> = WatchEvent extends infer E
  ? E extends { readonly resource: infer R }
    ? K extends R
      ? E
      : never
    : never
  : never;

export const isEventOf = <K extends ResourceKind>(kind: K, event: WatchEvent): event is EventOf<K> =>
  event.resource === kind;
