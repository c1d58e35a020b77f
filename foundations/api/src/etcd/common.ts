// Pieces shared by the three etcd.strata.dev resources: the group, the cron and quantity formats, conditions, and
// how a parse failure names its field.
import { z } from 'zod';
import { StrataError } from '../errors/strata-error.ts';
import { kubernetes } from '../crd/schema-rules.ts';

export const ETCD_GROUP = 'etcd.strata.dev';
export const ETCD_CRD_VERSION = 'v1alpha1';
export const ETCD_API_VERSION = `${ETCD_GROUP}/${ETCD_CRD_VERSION}` as const;

// Five fields (minute hour day-of-month month day-of-week), each `*`, a number, a range or a list of them, with an
// optional step; or one of the @-macros. The API server's RE2 and JavaScript read this pattern alike. Whether the
// numbers are in range is what CEL cannot check without a parser; the operator refuses such a schedule itself.
const CRON_FIELD = String.raw`(\*|[0-9]{1,2}(-[0-9]{1,2})?)(/[0-9]{1,2})?(,(\*|[0-9]{1,2}(-[0-9]{1,2})?)(/[0-9]{1,2})?)*`;
export const CRON_PATTERN = `^(@(hourly|daily|weekly|monthly|yearly|annually)|${CRON_FIELD}( ${CRON_FIELD}){4})$`;
export const CRON_MESSAGE = 'must be a cron schedule of five fields (minute hour day month weekday), e.g. "0 3 * * *"';

export const cronScheduleSchema = z.string().max(256, CRON_MESSAGE).regex(new RegExp(CRON_PATTERN), CRON_MESSAGE);

// A Kubernetes resource quantity, as a PVC's request takes it.
export const QUANTITY_PATTERN = '^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$';
export const quantitySchema = z
  .string()
  .max(64)
  .regex(new RegExp(QUANTITY_PATTERN), 'must be a quantity such as 8Gi or 500Mi');

// A DNS-1123 label: what a member, pod or Secret name may be.
export const dnsLabelSchema = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS label: lower-case letters, digits and "-"');

/** Go duration text within a week, as the retention's maxAge takes it. */
export const RETENTION_AGE_PATTERN = '^([0-9]+h)?([0-9]+m)?([0-9]+s)?$';

/** A rule that exactly one of the given optional fields is set, for zod and for the API server's CEL alike. */
export function exactlyOne<T extends Record<string, unknown>>(
  first: keyof T & string,
  ...rest: [keyof T & string, ...(keyof T & string)[]]
) {
  const fields = [first, ...rest];
  const rule =
    fields.length === 2
      ? `has(self.${first}) != has(self.${rest[0]})`
      : `${fields.map((field) => `(has(self.${field}) ? 1 : 0)`).join(' + ')} == 1`;
  const listed = `${fields.slice(0, -1).join(', ')} and ${fields[fields.length - 1] ?? ''}`;
  return {
    rule,
    message: `must set exactly one of ${listed}`,
    holds: (value: T) => fields.filter((field) => value[field] !== undefined).length === 1,
  };
}

export const conditionStatusSchema = z.enum(['True', 'False', 'Unknown']);

/** A status condition (metav1.Condition's shape) of one of the given types. */
export function conditionsSchema<const Types extends readonly [string, ...string[]]>(types: Types) {
  const condition = z.strictObject({
    type: z.enum(types),
    status: conditionStatusSchema,
    reason: z
      .string()
      .max(1024)
      .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/, 'must be a CamelCase reason'),
    message: z.string().max(32768),
    lastTransitionTime: z.iso.datetime({ offset: true }),
    observedGeneration: z.int().min(0).optional(),
  });
  return kubernetes(z.array(condition), { listType: { map: ['type'] } });
}

export const objectMetadataSchema = z.looseObject({
  name: z.string().min(1),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  generation: z.int().optional(),
  resourceVersion: z.string().optional(),
  creationTimestamp: z.string().optional(),
  deletionTimestamp: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

export interface EtcdResourceIssue {
  /** Dotted path of the offending field, e.g. 'spec.size'. */
  readonly field: string;
  readonly message: string;
}

/** An etcd.strata.dev object did not parse; `field` names the first offending field and `issues` all of them. */
export class EtcdResourceError extends StrataError {
  readonly field: string;
  readonly issues: readonly EtcdResourceIssue[];

  constructor(kind: string, name: string, issues: readonly [EtcdResourceIssue, ...EtcdResourceIssue[]]) {
    const lines = issues.map((issue) => `  ${issue.field}: ${issue.message}`);
    super(`invalid ${kind} ${name}:\n${lines.join('\n')}`, { kind, name, field: issues[0].field, issues });
    this.field = issues[0].field;
    this.issues = issues;
  }
}

/** Parses `value` with `schema`, or throws EtcdResourceError naming every offending field. */
export function parseEtcdResource<S extends z.ZodType>(kind: string, schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.flatMap((issue) =>
    (issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...issue.path, key]) : [issue.path]).map((path) => ({
      field: path.length === 0 ? '(root)' : path.map(String).join('.'),
      message: issue.code === 'unrecognized_keys' ? 'is not a known field' : issue.message,
    })),
  );
  const name = (value as { metadata?: { name?: unknown } } | null)?.metadata?.name;
  const [first, ...rest] = issues;
  throw new EtcdResourceError(
    kind,
    typeof name === 'string' ? name : '(unnamed)',
    first === undefined ? [{ field: '(root)', message: 'invalid' }] : [first, ...rest],
  );
}
