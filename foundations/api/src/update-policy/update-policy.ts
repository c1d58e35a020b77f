import { z } from 'zod';
import { WEEKDAYS } from './weekdays.ts';
import { StrataError } from '../errors/strata-error.ts';
import { DURATION_PATTERN, MAX_DURATION, MAX_DURATION_LENGTH, isPolicyDuration } from './duration.ts';
import { labelSelectorSchema, qualifiedNameSchema } from './label-selector.ts';
import { kubernetes } from '../crd/schema-rules.ts';
import { TIME_ZONES, isTimeZone } from './time-zones.ts';

/** The UpdatePolicy custom resource: cluster-scoped, one per group of nodes that share a reboot budget. */
export const UPDATE_POLICY = {
  group: 'update.strata.dev',
  version: 'v1alpha1',
  apiVersion: 'update.strata.dev/v1alpha1',
  kind: 'UpdatePolicy',
  listKind: 'UpdatePolicyList',
  plural: 'updatepolicies',
  singular: 'updatepolicy',
} as const;

/** A day of the week as a reboot window names it (WEEKDAYS, shared with cluster.yaml's update windows). */
export type Weekday = (typeof WEEKDAYS)[number];

/** What the operator counts nodes as in status.nodes and status.lastTransitions. */
export const UPDATE_PHASES = [
  'idle',
  'rebootNeeded',
  'waiting',
  'approved',
  'draining',
  'rebooting',
  'afterReboot',
  'failed',
] as const;
export type UpdatePhase = (typeof UPDATE_PHASES)[number];

export const UPDATE_POLICY_CONDITIONS = ['Progressing', 'Blocked', 'Degraded'] as const;
export type UpdatePolicyConditionType = (typeof UPDATE_POLICY_CONDITIONS)[number];

export const DRAIN_TIMEOUT_ACTIONS = ['Retry', 'Reboot'] as const;
export const REBOOT_TIMEOUT_ACTIONS = ['HoldSlot', 'ReleaseSlot'] as const;

/** The values a policy gets for what it leaves out. */
export const UPDATE_POLICY_DEFAULTS = {
  maxUnavailable: 1,
  drainTimeout: '10m',
  gracePeriodSeconds: -1,
  drainOnTimeout: 'Retry',
  drainMaxRetryDelay: '30m',
  rebootTimeout: '30m',
  rebootOnTimeout: 'HoldSlot',
} as const;

// Bounds on lists, which also keep the API server's CEL cost estimates small.
export const MAX_REBOOT_WINDOWS = 16;
export const MAX_HOOKS = 16;
export const MAX_SKIP_POD_SELECTORS = 8;
export const MAX_LAST_TRANSITIONS = 20;

export const TIME_OF_DAY_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9]$';
export const PERCENTAGE_PATTERN = '^(100|[1-9][0-9]?)%$';

const DURATION_MESSAGE = `must be a duration above zero and at most ${MAX_DURATION}, such as 1h30m, 45m or 90s`;
const MAX_UNAVAILABLE_MESSAGE = 'must be a whole number of nodes of at least 1, or a percentage from "1%" to "100%"';
const oneOf = (values: readonly string[]) => `must be one of ${values.join(', ')}`;

const durationPattern = new RegExp(DURATION_PATTERN);

const durationSchema = kubernetes(
  z.string().max(MAX_DURATION_LENGTH, DURATION_MESSAGE).regex(durationPattern, DURATION_MESSAGE),
  {
    rules: [
      {
        // CEL's duration() is Go's time.ParseDuration, which reads the pattern's every form. The pattern is checked
        // again so that a value it refuses gets that one refusal, not a second one from duration().
        rule: `!self.matches('${DURATION_PATTERN}') || (duration(self) > duration('0s') && duration(self) <= duration('${MAX_DURATION}'))`,
        message: DURATION_MESSAGE,
        holds: (text) => !durationPattern.test(text) || isPolicyDuration(text),
      },
    ],
  },
);

const percentage = new RegExp(PERCENTAGE_PATTERN);

const maxUnavailableSchema = kubernetes(z.union([z.int(), z.string()], { error: MAX_UNAVAILABLE_MESSAGE }), {
  intOrString: true,
  rules: [
    {
      rule: `type(self) == int ? self >= 1 : self.matches('${PERCENTAGE_PATTERN}')`,
      message: MAX_UNAVAILABLE_MESSAGE,
      holds: (value) => (typeof value === 'number' ? value >= 1 : percentage.test(value)),
    },
  ],
}).describe(
  'How many of the selected nodes may be unavailable at once: a number, or a percentage of them rounded down (at least 1).',
);

const rebootWindowSchema = z
  .strictObject({
    days: kubernetes(
      z
        .array(z.enum(WEEKDAYS, { error: oneOf(WEEKDAYS) }))
        .min(1, 'must name at least one day')
        .max(WEEKDAYS.length),
      { listType: 'set' },
    ).describe('Days on which the window opens, in its time zone: Mon, Tue, Wed, Thu, Fri, Sat, Sun.'),
    start: z
      .string()
      .regex(new RegExp(TIME_OF_DAY_PATTERN), 'must be a 24-hour time of day as HH:MM, such as 03:30')
      .describe(
        'Local time at which the window opens, HH:MM. A time skipped by a daylight-saving change opens it when the clocks jump.',
      ),
    duration: durationSchema.describe(
      'How long the window stays open, in elapsed time (at most 168h), e.g. 3h or 1h30m.',
    ),
    timeZone: kubernetes(z.string().max(64), {
      rules: [
        {
          // Not an enum: the API server would quote all ~440 names in every refusal. The names hold no quote.
          rule: `self in [${TIME_ZONES.map((name) => `'${name}'`).join(', ')}]`,
          message: 'must be an IANA time zone name such as Europe/Berlin, America/New_York or UTC',
          holds: isTimeZone,
        },
      ],
    }).describe('IANA time zone of days and start, e.g. Europe/Berlin or UTC.'),
  })
  .describe('A weekly maintenance window in which reboots may start.');

const drainSchema = z
  .strictObject({
    timeout: durationSchema
      .default(UPDATE_POLICY_DEFAULTS.drainTimeout)
      .describe('How long a drain may take before onTimeout applies.'),
    gracePeriodSeconds: z
      .int('must be a whole number of seconds')
      .min(-1, "must be -1 (each pod's own grace period) or a number of seconds")
      .default(UPDATE_POLICY_DEFAULTS.gracePeriodSeconds)
      .describe("Grace period given to evicted pods; -1 uses each pod's own."),
    deleteEmptyDirData: z.boolean().default(false).describe('Evict pods that use emptyDir volumes, losing that data.'),
    force: z
      .boolean()
      .default(false)
      .describe(
        'Also delete pods that no controller recreates, and pods a PodDisruptionBudget still protects once the drain timeout has passed.',
      ),
    skipPodSelectors: z
      .array(labelSelectorSchema)
      .max(MAX_SKIP_POD_SELECTORS, `must have at most ${MAX_SKIP_POD_SELECTORS} selectors`)
      .default([])
      .describe('Pods matching any of these selectors are left running during the drain.'),
    onTimeout: z
      .enum(DRAIN_TIMEOUT_ACTIONS, { error: oneOf(DRAIN_TIMEOUT_ACTIONS) })
      .default(UPDATE_POLICY_DEFAULTS.drainOnTimeout)
      .describe('Retry: uncordon and try again later; Reboot: reboot anyway.'),
    maxRetryDelay: durationSchema
      .default(UPDATE_POLICY_DEFAULTS.drainMaxRetryDelay)
      .describe(
        'The longest a node whose drain failed waits before it is granted again: the wait starts at 1m and doubles with each failure in a row, up to this, less up to a fifth as jitter.',
      ),
  })
  .describe('How nodes are drained before their reboot.');

const hookListSchema = kubernetes(
  z.array(qualifiedNameSchema).max(MAX_HOOKS, `must have at most ${MAX_HOOKS} annotations`),
  { listType: 'set' },
);

const hooksSchema = z
  .strictObject({
    beforeReboot: hookListSchema
      .default([])
      .describe(
        'Node annotations that must be "true" before a reboot is allowed (set while the before-reboot label is on the node).',
      ),
    afterReboot: hookListSchema
      .default([])
      .describe(
        'Node annotations that must be "true" before a rebooted node is counted done (set while the after-reboot label is on the node).',
      ),
  })
  .describe('Checks by other controllers around each reboot.');

const rebootTimeoutSchema = z
  .strictObject({
    duration: durationSchema
      .default(UPDATE_POLICY_DEFAULTS.rebootTimeout)
      .describe('How long after its reboot was granted a node may take to come back done.'),
    onTimeout: z
      .enum(REBOOT_TIMEOUT_ACTIONS, { error: oneOf(REBOOT_TIMEOUT_ACTIONS) })
      .default(UPDATE_POLICY_DEFAULTS.rebootOnTimeout)
      .describe(
        'HoldSlot: the failed node keeps counting against maxUnavailable; ReleaseSlot: it stops counting (unless NotReady).',
      ),
  })
  .describe('What happens to a node that does not come back in time.');

/**
 * What the cluster config decides about the default UpdatePolicy (cluster.yaml's `updates`): without defaults, so
 * that only what was decided is written into the manifest.
 */
export const defaultPolicySettingsSchema = z.strictObject({
  maxUnavailable: maxUnavailableSchema.optional(),
  rebootWindows: z
    .array(rebootWindowSchema)
    .max(MAX_REBOOT_WINDOWS, `must have at most ${MAX_REBOOT_WINDOWS} windows`)
    .optional(),
  paused: z.boolean().optional(),
});
export type DefaultPolicySettings = z.input<typeof defaultPolicySettingsSchema>;

export const updatePolicySpecSchema = z
  .strictObject({
    nodeSelector: labelSelectorSchema
      .prefault({})
      .describe(
        'The nodes this policy governs; empty selects every node. A node selected by two policies is acted on by neither.',
      ),
    maxUnavailable: maxUnavailableSchema.default(UPDATE_POLICY_DEFAULTS.maxUnavailable),
    rebootWindows: z
      .array(rebootWindowSchema)
      .max(MAX_REBOOT_WINDOWS, `must have at most ${MAX_REBOOT_WINDOWS} windows`)
      .optional()
      .describe('When reboots may start; absent or empty means at any time.'),
    drain: drainSchema.prefault({}),
    hooks: hooksSchema.prefault({}),
    paused: z.boolean().default(false).describe('Start no new reboots; those under way finish.'),
    rebootTimeout: rebootTimeoutSchema.prefault({}),
  })
  .describe('Which nodes may reboot for an OS update, how many at once, and when.');

const count = z.int().min(0);

const conditionSchema = z.strictObject({
  type: z.enum(UPDATE_POLICY_CONDITIONS),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z
    .string()
    .max(1024)
    .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/, 'must be a CamelCase reason'),
  message: z.string().max(32768),
  lastTransitionTime: z.iso.datetime({ offset: true }),
  observedGeneration: count.optional(),
});

export const updatePolicyStatusSchema = z
  .strictObject({
    observedGeneration: count.optional(),
    nodes: z
      .strictObject({
        total: count,
        ...(Object.fromEntries(UPDATE_PHASES.map((phase) => [phase, count])) as Record<UpdatePhase, typeof count>),
        upToDate: count.optional(),
      })
      .optional()
      .describe('How many selected nodes are in each phase.'),
    inProgressCount: count.optional().describe('How many nodes hold a slot of maxUnavailable (shown by kubectl get).'),
    inProgress: z.array(z.string()).optional().describe('The nodes that hold a slot of maxUnavailable.'),
    queue: z
      .array(z.string())
      .optional()
      .describe(
        'The nodes waiting for a slot, first in line first (the fair order: oldest need first). A new leader keeps this order.',
      ),
    lastTransitions: z
      .array(
        z.strictObject({
          node: z.string(),
          from: z.enum(UPDATE_PHASES),
          to: z.enum(UPDATE_PHASES),
          time: z.iso.datetime({ offset: true }),
        }),
      )
      .max(MAX_LAST_TRANSITIONS)
      .optional()
      .describe(`The last ${MAX_LAST_TRANSITIONS} phase changes, newest last.`),
    conditions: kubernetes(z.array(conditionSchema), { listType: { map: ['type'] } }).optional(),
  })
  .describe('What the operator last observed.');

const metadataSchema = z.looseObject({
  name: z.string().min(1),
  uid: z.string().optional(),
  generation: z.int().optional(),
  resourceVersion: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

/** A whole UpdatePolicy as the API server returns it; what it leaves out of spec is filled in with the defaults. */
export const updatePolicySchema = z.strictObject({
  apiVersion: z.literal(UPDATE_POLICY.apiVersion),
  kind: z.literal(UPDATE_POLICY.kind),
  metadata: metadataSchema,
  spec: updatePolicySpecSchema.prefault({}),
  status: updatePolicyStatusSchema.optional(),
});

export type UpdatePolicy = z.output<typeof updatePolicySchema>;
export type UpdatePolicySpec = z.output<typeof updatePolicySpecSchema>;
/** A spec as written: every field with a default may be left out. */
export type UpdatePolicySpecInput = z.input<typeof updatePolicySpecSchema>;
export type UpdatePolicyStatus = z.output<typeof updatePolicyStatusSchema>;
export type UpdatePolicyCondition = z.output<typeof conditionSchema>;
export type RebootWindow = z.output<typeof rebootWindowSchema>;
export type DrainSettings = z.output<typeof drainSchema>;

export interface UpdatePolicyIssue {
  /** Dotted path of the offending field, e.g. 'spec.rebootWindows.0.timeZone'. */
  readonly field: string;
  readonly message: string;
}

/** An UpdatePolicy was refused; `field` names the first offending field and `issues` every problem. */
export class UpdatePolicyError extends StrataError {
  readonly field: string;
  readonly issues: readonly UpdatePolicyIssue[];

  constructor(name: string, issues: readonly [UpdatePolicyIssue, ...UpdatePolicyIssue[]]) {
    const lines = issues.map((issue) => `  ${issue.field}: ${issue.message}`);
    super(`invalid UpdatePolicy ${name}:\n${lines.join('\n')}`, { policy: name, field: issues[0].field, issues });
    this.field = issues[0].field;
    this.issues = issues;
  }
}

/** Every problem with `value` as an UpdatePolicy, each naming its field; empty when it is valid. */
export function updatePolicyIssues(value: unknown): UpdatePolicyIssue[] {
  const result = updatePolicySchema.safeParse(value);
  if (result.success) return [];
  return result.error.issues.flatMap((issue) =>
    // A misspelt key is reported at the key itself, so that the field named is the one to fix.
    (issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...issue.path, key]) : [issue.path]).map((path) => ({
      field: path.length === 0 ? '(root)' : path.map(String).join('.'),
      message: issue.code === 'unrecognized_keys' ? 'is not a known field' : issue.message,
    })),
  );
}

/** The policy with its defaults filled in; throws UpdatePolicyError naming every offending field. */
export function parseUpdatePolicy(value: unknown): UpdatePolicy {
  const result = updatePolicySchema.safeParse(value);
  if (result.success) return result.data;
  const [first, ...rest] = updatePolicyIssues(value);
  const name = (value as { metadata?: { name?: unknown } } | null)?.metadata?.name;
  throw new UpdatePolicyError(
    typeof name === 'string' ? name : '(unnamed)',
    first ? [first, ...rest] : [{ field: '(root)', message: 'invalid' }],
  );
}
