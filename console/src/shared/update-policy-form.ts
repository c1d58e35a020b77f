// The UpdatePolicy form of the OS updates page: its fields as the browser holds them (text as typed), turned into an
// UpdatePolicy spec and checked with @strata/api's own schema (the one the CRD and the operator share) before
// anything is sent, each problem named by its field and tied to the input that fixes it. The route handlers check
// the bodies again with the same schemas; the API server still decides (RBAC, a name taken, a change made meanwhile).
import {
  UPDATE_POLICY,
  updatePolicyIssues,
  updatePolicySpecSchema,
  type LabelSelector,
  type LabelSelectorRequirement,
  type UpdatePolicySpec,
  type Weekday,
} from '@strata/api';
import { z } from 'zod';

const NAME_MESSAGE =
  'must be a DNS subdomain: at most 253 lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, e.g. workers';

/** An UpdatePolicy's name (cluster-scoped: a DNS subdomain), as routes and the form check it. */
export const policyNameSchema = z
  .string()
  .max(253, NAME_MESSAGE)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, NAME_MESSAGE);

/** `dryRun`: the API server checks and admits the change and stores nothing (the form's "Check" button). */
const dryRunSchema = z.boolean().default(false);

export const createPolicyBodySchema = z.strictObject({
  name: policyNameSchema,
  spec: updatePolicySpecSchema,
  dryRun: dryRunSchema,
});
export type CreatePolicyBody = z.input<typeof createPolicyBodySchema>;

/** A whole-spec edit of the version it was made from: a change made meanwhile is the API server's 409. */
export const editPolicyBodySchema = z.strictObject({
  resourceVersion: z.string().min(1).max(64),
  spec: updatePolicySpecSchema,
  dryRun: dryRunSchema,
});
export type EditPolicyBody = z.input<typeof editPolicyBodySchema>;

/** What the edit form starts from: the policy's spec as the API server has it, and the version it was read at. */
export const policyForEditSchema = z.strictObject({
  name: z.string(),
  resourceVersion: z.string(),
  spec: updatePolicySpecSchema,
});
export type PolicyForEdit = z.output<typeof policyForEditSchema>;

// ---- Label selectors in kubectl's words ----

/** A label selector in kubectl's words: `a=b, !c, d in (x,y), e notin (z), f`; "every node" when empty. */
export function selectorText(selector: LabelSelector): string {
  const text = selectorTerms(selector);
  return text === '' ? 'every node' : text;
}

/** The selector as the form's text: kubectl's words, empty for the empty selector. */
export function selectorTerms(selector: LabelSelector): string {
  return [
    ...Object.entries(selector.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`),
    ...(selector.matchExpressions ?? []).map((requirement) => {
      const values = requirement.values ?? [];
      switch (requirement.operator) {
        case 'Exists':
          return requirement.key;
        case 'DoesNotExist':
          return `!${requirement.key}`;
        case 'In':
          return `${requirement.key} in (${values.join(',')})`;
        case 'NotIn':
          return `${requirement.key} notin (${values.join(',')})`;
      }
    }),
  ].join(', ');
}

const SELECTOR_HELP = 'write terms such as key=value, key!=value, key in (a,b), key notin (a,b), key or !key';

/** The top-level terms of a selector: commas inside parentheses belong to a term's values. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const character of text) {
    if (character === '(') depth++;
    if (character === ')') depth--;
    if (character === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += character;
  }
  terms.push(current);
  return terms.map((term) => term.trim());
}

const KEY = '([^\\s=!(),]+)';
const SET_TERM = new RegExp(`^${KEY}\\s+(in|notin)\\s*\\(([^()]*)\\)$`, 'i');
const NOT_EQUAL_TERM = new RegExp(`^${KEY}\\s*!=\\s*([^\\s=!(),]*)$`);
const EQUAL_TERM = new RegExp(`^${KEY}\\s*==?\\s*([^\\s=!(),]*)$`);
const NOT_EXISTS_TERM = new RegExp(`^!\\s*${KEY}$`);
const EXISTS_TERM = new RegExp(`^${KEY}$`);

/**
 * kubectl's selector syntax read into a LabelSelector, or why not. Keys and values are not checked here: the
 * schema does that, in its own words, for the field they land in.
 */
export function parseSelector(text: string): { selector: LabelSelector } | { error: string } {
  if (text.trim() === '') return { selector: {} };
  const matchLabels: Record<string, string> = {};
  const matchExpressions: LabelSelectorRequirement[] = [];
  for (const term of splitTerms(text)) {
    if (term === '') return { error: `has an empty term (a stray comma): ${SELECTOR_HELP}` };
    const set = SET_TERM.exec(term);
    const notEqual = NOT_EQUAL_TERM.exec(term);
    const equal = EQUAL_TERM.exec(term);
    const notExists = NOT_EXISTS_TERM.exec(term);
    const exists = EXISTS_TERM.exec(term);
    if (set !== null) {
      const [, key = '', operator = '', values = ''] = set;
      matchExpressions.push({
        key,
        operator: operator.toLowerCase() === 'in' ? 'In' : 'NotIn',
        values: values
          .split(',')
          .map((value) => value.trim())
          .filter((value) => value !== ''),
      });
    } else if (notEqual !== null) {
      const [, key = '', value = ''] = notEqual;
      matchExpressions.push({ key, operator: 'NotIn', values: [value] });
    } else if (equal !== null) {
      const [, key = '', value = ''] = equal;
      if (key in matchLabels && matchLabels[key] !== value)
        return { error: `asks for two values of ${key}: no node has both` };
      matchLabels[key] = value;
    } else if (notExists !== null) matchExpressions.push({ key: notExists[1] ?? '', operator: 'DoesNotExist' });
    else if (exists !== null) matchExpressions.push({ key: exists[1] ?? '', operator: 'Exists' });
    else return { error: `cannot read "${term}": ${SELECTOR_HELP}` };
  }
  return {
    selector: {
      ...(Object.keys(matchLabels).length === 0 ? {} : { matchLabels }),
      ...(matchExpressions.length === 0 ? {} : { matchExpressions }),
    },
  };
}

// ---- The form ----

export interface RebootWindowFields {
  readonly days: readonly Weekday[];
  readonly start: string;
  readonly duration: string;
  readonly timeZone: string;
}

/** The form's fields as typed. Lists of keys and of selectors are one per line. */
export interface PolicyFields {
  readonly name: string;
  readonly nodeSelector: string;
  readonly maxUnavailable: string;
  readonly paused: boolean;
  readonly rebootWindows: readonly RebootWindowFields[];
  readonly drainTimeout: string;
  readonly drainGracePeriodSeconds: string;
  readonly drainDeleteEmptyDirData: boolean;
  readonly drainForce: boolean;
  readonly drainOnTimeout: string;
  readonly drainMaxRetryDelay: string;
  readonly drainSkipPodSelectors: string;
  readonly beforeRebootHooks: string;
  readonly afterRebootHooks: string;
  readonly rebootTimeout: string;
  readonly rebootOnTimeout: string;
}

export const NEW_REBOOT_WINDOW: RebootWindowFields = {
  days: ['Sat', 'Sun'],
  start: '03:00',
  duration: '3h',
  timeZone: 'UTC',
};

/** The form filled in from a spec (with its defaults: a new policy starts from the defaults' own values). */
export function fieldsOf(name: string, spec: UpdatePolicySpec): PolicyFields {
  return {
    name,
    nodeSelector: selectorTerms(spec.nodeSelector),
    maxUnavailable: String(spec.maxUnavailable),
    paused: spec.paused,
    rebootWindows: (spec.rebootWindows ?? []).map((window) => ({ ...window })),
    drainTimeout: spec.drain.timeout,
    drainGracePeriodSeconds: String(spec.drain.gracePeriodSeconds),
    drainDeleteEmptyDirData: spec.drain.deleteEmptyDirData,
    drainForce: spec.drain.force,
    drainOnTimeout: spec.drain.onTimeout,
    drainMaxRetryDelay: spec.drain.maxRetryDelay,
    drainSkipPodSelectors: spec.drain.skipPodSelectors.map(selectorTerms).join('\n'),
    beforeRebootHooks: spec.hooks.beforeReboot.join('\n'),
    afterRebootHooks: spec.hooks.afterReboot.join('\n'),
    rebootTimeout: spec.rebootTimeout.duration,
    rebootOnTimeout: spec.rebootTimeout.onTimeout,
  };
}

export const newPolicyFields = (): PolicyFields => fieldsOf('', updatePolicySpecSchema.parse({}));

export interface FieldProblem {
  /** The spec's field, dotted: e.g. `spec.rebootWindows.0.start`. */
  readonly field: string;
  readonly message: string;
}

const lines = (text: string): string[] =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');

/** A whole number as a number (so that the schema checks its range), anything else as typed (so that it says why). */
function numberOrText(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  return /^-?\d{1,15}$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** An empty field is left out, so that the CRD's default applies. */
const textOrDefault = (text: string): string | undefined => (text.trim() === '' ? undefined : text.trim());

/**
 * The spec the fields say, or every problem, each with its field: the selector syntax first, then the CRD's schema
 * on the whole object (its name included), in its own words.
 */
export function checkPolicyFields(
  fields: PolicyFields,
):
  | { readonly ok: true; readonly spec: z.input<typeof updatePolicySpecSchema> }
  | { readonly ok: false; readonly problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const selector = parseSelector(fields.nodeSelector);
  if ('error' in selector) problems.push({ field: 'spec.nodeSelector', message: selector.error });
  const skipPodSelectors = lines(fields.drainSkipPodSelectors).map((line, index) => {
    const parsed = parseSelector(line);
    if ('error' in parsed) {
      problems.push({ field: `spec.drain.skipPodSelectors.${index}`, message: parsed.error });
      return {};
    }
    return parsed.selector;
  });
  const spec = {
    nodeSelector: 'error' in selector ? {} : selector.selector,
    maxUnavailable: numberOrText(fields.maxUnavailable),
    paused: fields.paused,
    ...(fields.rebootWindows.length === 0
      ? {}
      : {
          rebootWindows: fields.rebootWindows.map((window) => ({
            days: [...window.days],
            start: window.start.trim(),
            duration: window.duration.trim(),
            timeZone: window.timeZone.trim(),
          })),
        }),
    drain: {
      timeout: textOrDefault(fields.drainTimeout),
      gracePeriodSeconds: numberOrText(fields.drainGracePeriodSeconds),
      deleteEmptyDirData: fields.drainDeleteEmptyDirData,
      force: fields.drainForce,
      onTimeout: fields.drainOnTimeout,
      maxRetryDelay: textOrDefault(fields.drainMaxRetryDelay),
      skipPodSelectors,
    },
    hooks: { beforeReboot: lines(fields.beforeRebootHooks), afterReboot: lines(fields.afterRebootHooks) },
    rebootTimeout: { duration: textOrDefault(fields.rebootTimeout), onTimeout: fields.rebootOnTimeout },
  };
  // undefined stands for "left out": JSON drops it, and the schema's defaults fill it in.
  const cleaned: unknown = JSON.parse(JSON.stringify(spec));
  const name = policyNameSchema.safeParse(fields.name);
  if (!name.success) problems.push({ field: 'metadata.name', message: name.error.issues[0]?.message ?? NAME_MESSAGE });
  problems.push(
    ...updatePolicyIssues({
      apiVersion: UPDATE_POLICY.apiVersion,
      kind: UPDATE_POLICY.kind,
      metadata: { name: fields.name === '' ? '-' : fields.name },
      spec: cleaned,
    }).filter((issue) => issue.field !== 'metadata.name'),
  );
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, spec: cleaned as z.input<typeof updatePolicySpecSchema> };
}

/**
 * The form control that fixes a field's problem: the id the form gives that input (`policy-<control>`), so that
 * each message sits beside its input and the input is marked invalid.
 */
export function controlOf(field: string): string {
  const path = field.split('.');
  const [root, first, second, third] = path;
  if (root === 'metadata') return 'name';
  if (root !== 'spec' || first === undefined) return 'form';
  switch (first) {
    case 'rebootWindows':
      return second !== undefined && /^\d+$/.test(second) && third !== undefined
        ? `window-${second}-${third}`
        : 'rebootWindows';
    case 'drain':
      if (second === undefined) return 'form';
      return `drain${second.charAt(0).toUpperCase()}${second.slice(1)}`;
    case 'hooks':
      return second === 'afterReboot' ? 'afterRebootHooks' : 'beforeRebootHooks';
    case 'rebootTimeout':
      return second === 'onTimeout' ? 'rebootOnTimeout' : 'rebootTimeout';
    default:
      return first;
  }
}
