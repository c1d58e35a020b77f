import { z } from 'zod';
import { kubernetes } from '../crd/schema-rules.ts';

// Kubernetes' label syntax (apimachinery's IsQualifiedName and IsValidLabelValue), as patterns without backslashes
// so that the same text serves zod, the CRD's OpenAPI `pattern` and CEL's matches().

const NAME = '[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?';
const DNS_SUBDOMAIN = '[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*';

/** A label or annotation key: an optional DNS subdomain prefix and '/', then a name of at most 63 characters. */
export const QUALIFIED_NAME_PATTERN = `^(${DNS_SUBDOMAIN}/)?${NAME}$`;
/** A label value: empty, or at most 63 characters of [A-Za-z0-9-_.] that start and end with a letter or digit. */
export const LABEL_VALUE_PATTERN = `^(${NAME})?$`;
// 253 for the prefix, 1 for '/', 63 for the name.
export const MAX_QUALIFIED_NAME_LENGTH = 317;
const MAX_PREFIX_LENGTH = 253;
const MAX_LABEL_VALUE_LENGTH = 63;

export const LABEL_SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
export type LabelSelectorOperator = (typeof LABEL_SELECTOR_OPERATORS)[number];

// Bounds that keep the API server's CEL cost estimate for a selector far below its limit; real selectors are small.
export const MAX_MATCH_LABELS = 32;
export const MAX_MATCH_EXPRESSIONS = 16;
export const MAX_SELECTOR_VALUES = 64;

const KEY_MESSAGE =
  'must be a label key: an optional DNS subdomain prefix of at most 253 characters and "/", then a name of at most ' +
  '63 characters of letters, digits, "-", "_" and "." that starts and ends with a letter or digit, e.g. ' +
  'node-role.kubernetes.io/worker';
const VALUE_MESSAGE =
  'must be a label value: empty, or at most 63 characters of letters, digits, "-", "_" and "." that start and end ' +
  'with a letter or digit';

const qualifiedName = new RegExp(QUALIFIED_NAME_PATTERN);
const prefixFits = (key: string) => key.indexOf('/') <= MAX_PREFIX_LENGTH;

/** A label or annotation key, e.g. `example.com/hook-done`. */
export const qualifiedNameSchema = kubernetes(
  z.string().max(MAX_QUALIFIED_NAME_LENGTH, KEY_MESSAGE).regex(qualifiedName, KEY_MESSAGE),
  {
    // A pattern cannot bound the prefix's length on its own. indexOf is -1 when there is no prefix.
    rules: [{ rule: `self.indexOf('/') <= ${MAX_PREFIX_LENGTH}`, message: KEY_MESSAGE, holds: prefixFits }],
  },
);

const labelValueSchema = z
  .string()
  .max(MAX_LABEL_VALUE_LENGTH, VALUE_MESSAGE)
  .regex(new RegExp(LABEL_VALUE_PATTERN), VALUE_MESSAGE);

const requirementSchema = kubernetes(
  z.strictObject({
    key: qualifiedNameSchema,
    operator: z.enum(LABEL_SELECTOR_OPERATORS, { error: `must be one of ${LABEL_SELECTOR_OPERATORS.join(', ')}` }),
    values: z
      .array(labelValueSchema)
      .max(MAX_SELECTOR_VALUES, `must list at most ${MAX_SELECTOR_VALUES} values`)
      .optional(),
  }),
  {
    rules: [
      {
        rule: "!(self.operator in ['In', 'NotIn']) || (has(self.values) && size(self.values) > 0)",
        message: 'must list at least one value when the operator is In or NotIn',
        fieldPath: '.values',
        holds: (requirement) =>
          !['In', 'NotIn'].includes(requirement.operator) || (requirement.values?.length ?? 0) > 0,
      },
      {
        rule: "!(self.operator in ['Exists', 'DoesNotExist']) || !has(self.values) || size(self.values) == 0",
        message: 'must be empty when the operator is Exists or DoesNotExist',
        fieldPath: '.values',
        holds: (requirement) =>
          !['Exists', 'DoesNotExist'].includes(requirement.operator) || (requirement.values?.length ?? 0) === 0,
      },
    ],
  },
);

const matchLabelsSchema = kubernetes(z.record(z.string(), labelValueSchema), {
  maxProperties: MAX_MATCH_LABELS,
  rules: [
    {
      rule: `self.all(key, size(key) <= ${MAX_QUALIFIED_NAME_LENGTH} && key.matches('${QUALIFIED_NAME_PATTERN}') && key.indexOf('/') <= ${MAX_PREFIX_LENGTH})`,
      message: `every key ${KEY_MESSAGE}`,
      holds: (labels) =>
        Object.keys(labels).every(
          (key) => key.length <= MAX_QUALIFIED_NAME_LENGTH && qualifiedName.test(key) && prefixFits(key),
        ),
    },
  ],
});

/**
 * A Kubernetes LabelSelector. The empty selector selects everything; a Node matches when it has every label of
 * matchLabels and meets every requirement of matchExpressions.
 */
export const labelSelectorSchema = z.strictObject({
  matchLabels: matchLabelsSchema.optional(),
  matchExpressions: z
    .array(requirementSchema)
    .max(MAX_MATCH_EXPRESSIONS, `must have at most ${MAX_MATCH_EXPRESSIONS} requirements`)
    .optional(),
});

export type LabelSelector = z.infer<typeof labelSelectorSchema>;
export type LabelSelectorRequirement = z.infer<typeof requirementSchema>;

/**
 * Whether an object with `labels` is selected by `selector`, with Kubernetes' semantics: every matchLabels entry and
 * every requirement must hold; NotIn and DoesNotExist hold for a missing label; the empty selector selects
 * everything. The update operator selects nodes with it, and the console tells with it which UpdatePolicies select
 * a node.
 */
export function selectorMatches(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const present = labels ?? {};
  const valueOf = (key: string) => (Object.hasOwn(present, key) ? present[key] : undefined);
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (valueOf(key) !== value) return false;
  }
  return (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    const value = valueOf(key);
    switch (operator) {
      case 'In':
        return value !== undefined && values.includes(value);
      case 'NotIn':
        return value === undefined || !values.includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
    }
  });
}
