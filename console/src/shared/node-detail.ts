// What the node page shows: the node's row with its conditions, the pods bound to it and the outcome of a drain,
// projected on the server and parsed in the browser with these schemas.
import { z } from 'zod';
import { conditionRowSchema } from './etcd-rows.ts';
import { nodeRowSchema } from './node-row.ts';

/** A Node's name (a DNS subdomain), as a route's parameter. */
export const nodeNameSchema = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);

export const nodeDetailRowSchema = nodeRowSchema.extend({ conditions: z.array(conditionRowSchema) });
export type NodeDetailRow = z.infer<typeof nodeDetailRowSchema>;

/**
 * Why a drain leaves a pod where it is (kubectl drain's rules, @strata/kube's podDrainDecision; `terminating`: already
 * being deleted), or refuses to evict it unless told to go ahead (--force, --delete-emptydir-data).
 */
export const DRAIN_SKIP_REASONS = ['terminated', 'mirror', 'daemonset', 'skip-selector', 'terminating'] as const;
export const DRAIN_REFUSAL_REASONS = ['no-controller', 'emptydir'] as const;

/**
 * POST /api/nodes/<name>/drain: what the user allows beyond kubectl drain's defaults. `force` evicts pods no controller
 * recreates; `deleteEmptyDirData` evicts pods whose emptyDir data would be lost. Neither bypasses a
 * PodDisruptionBudget. An empty body is both false.
 */
export const drainOptionsSchema = z.strictObject({
  force: z.boolean().default(false),
  deleteEmptyDirData: z.boolean().default(false),
});
export type DrainOptions = z.infer<typeof drainOptionsSchema>;
export const KUBECTL_DRAIN_DEFAULTS: DrainOptions = { force: false, deleteEmptyDirData: false };

export const podRowSchema = z.strictObject({
  namespace: z.string(),
  name: z.string(),
  phase: z.string(),
  /** The controlling owner as Kind/name, when there is one. */
  controller: z.string().optional(),
  /** What a drain would do with the pod. */
  drain: z.union([
    z.strictObject({ action: z.literal('evict') }),
    z.strictObject({ action: z.literal('skip'), reason: z.enum(DRAIN_SKIP_REASONS) }),
    z.strictObject({
      action: z.literal('refuse'),
      reasons: z.array(z.enum(DRAIN_REFUSAL_REASONS)).min(1),
      detail: z.string(),
    }),
  ]),
});
export type PodRow = z.infer<typeof podRowSchema>;
export type DrainDecision = PodRow['drain'];

/** One pod's outcome in a drain. `refused` is a PodDisruptionBudget's 429, with the API server's message. */
export const drainPodOutcomeSchema = z.strictObject({
  namespace: z.string(),
  name: z.string(),
  outcome: z.enum(['evicted', 'refused', 'failed', 'skipped', 'not-evicted']),
  /** The API server's words (refused, failed), or why the drain left the pod (skipped, not-evicted). */
  message: z.string().optional(),
  /** The API server's HTTP status, for refused and failed. */
  status: z.int().optional(),
});
export type DrainPodOutcome = z.infer<typeof drainPodOutcomeSchema>;

export const drainReportSchema = z.strictObject({
  node: z.string(),
  cordoned: z.literal(true),
  options: drainOptionsSchema,
  pods: z.array(drainPodOutcomeSchema),
});
export type DrainReport = z.infer<typeof drainReportSchema>;

/** How the node page says what a drain will do with a pod, and a drain report why it left one. */
export function describeDrainDecision(decision: DrainDecision): string {
  if (decision.action === 'evict') return 'evict (its PodDisruptionBudgets permitting)';
  if (decision.action === 'refuse') return `not evicted: ${decision.detail}`;
  switch (decision.reason) {
    case 'terminated':
      return 'skipped: finished';
    case 'skip-selector':
      return 'skipped: its labels say to leave it';
    case 'mirror':
      return 'skipped: mirror pod (static, the kubelet runs it)';
    case 'daemonset':
      return 'skipped: DaemonSet pod';
    case 'terminating':
      return 'skipped: already terminating';
  }
}

/** PUT /api/nodes/<name>/reboots: pause or resume the node's reboots. */
export const rebootsChangeSchema = z.strictObject({ paused: z.boolean() });

/**
 * The answer: the node's row, and which UpdatePolicies select the node now (read as the user once the label is
 * written): a policy whose nodeSelector does not exclude the label still grants the node's reboots. `unknown` when
 * the user may not list UpdatePolicies or the CRD is not installed, in the API server's words.
 */
export const rebootsAnswerSchema = z.strictObject({
  row: nodeRowSchema,
  policies: z.union([z.strictObject({ selecting: z.array(z.string()) }), z.strictObject({ unknown: z.string() })]),
});
export type RebootsAnswer = z.infer<typeof rebootsAnswerSchema>;
