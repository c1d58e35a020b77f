import type { z } from 'zod';

// Each rule of the UpdatePolicy schema is written once, here, for both checkers: as a zod check for Strata's own
// code and as the OpenAPI or CEL rule the CRD gives the API server (see structural-schema.ts). The message is the
// same text in both, so a user sees the same words from `kubectl apply` and from Strata.

/** A CEL rule of the CRD (x-kubernetes-validations) with its twin in TypeScript. */
export interface CheckedRule<T> {
  /** The CEL expression, evaluated with `self` bound to the value. */
  readonly rule: string;
  readonly message: string;
  /** Which field the API server's error names, relative to the value (e.g. '.values'); the value itself when absent. */
  readonly fieldPath?: string;
  /** The same rule for Strata's own checks. */
  readonly holds: (value: T) => boolean;
}

/** The CRD's form of a rule: what the API server is given. */
export interface CelValidation {
  readonly rule: string;
  readonly message: string;
  readonly fieldPath?: string;
}

interface KubernetesExtensions<T> {
  readonly rules?: readonly CheckedRule<T>[];
  /** `set`: the items are unique (the API server says "Duplicate value"); `map`: unique by listMapKeys. */
  readonly listType?: 'atomic' | 'set' | { readonly map: readonly string[] };
  readonly maxProperties?: number;
  /** The value is an integer or a string (Kubernetes' IntOrString), like a Deployment's maxUnavailable. */
  readonly intOrString?: boolean;
  /**
   * The object holds any JSON (x-kubernetes-preserve-unknown-fields): the API server keeps fields the schema does not
   * name instead of pruning them. For a record of unknown values, which has no structural form otherwise.
   */
  readonly preserveUnknownFields?: boolean;
}

/** '.values' -> ['values'], for the path zod reports. */
function pathOf(fieldPath: string | undefined): string[] {
  return fieldPath === undefined ? [] : fieldPath.split('.').filter((segment) => segment !== '');
}

function duplicateIn(value: readonly unknown[], key: (item: unknown) => unknown): number {
  const seen = new Set<unknown>();
  return value.findIndex((item) => {
    const identity = key(item);
    if (seen.has(identity)) return true;
    seen.add(identity);
    return false;
  });
}

/**
 * The schema with Kubernetes' extensions: CEL rules and list, map and int-or-string semantics, each enforced by zod
 * as the API server enforces it.
 */
export function kubernetes<S extends z.ZodType>(schema: S, extensions: KubernetesExtensions<z.output<S>>): S {
  const { rules = [], listType, maxProperties, intOrString, preserveUnknownFields } = extensions;
  const checked = schema.superRefine((value, context) => {
    for (const rule of rules) {
      if (!rule.holds(value)) context.addIssue({ code: 'custom', message: rule.message, path: pathOf(rule.fieldPath) });
    }
    if (listType !== undefined && listType !== 'atomic' && Array.isArray(value)) {
      const mapKeys = typeof listType === 'object' ? listType.map : undefined;
      const key = (item: unknown) =>
        mapKeys === undefined ? item : JSON.stringify(mapKeys.map((name) => (item as Record<string, unknown>)[name]));
      const index = duplicateIn(value, key);
      if (index >= 0) context.addIssue({ code: 'custom', message: 'must not repeat an item', path: [index] });
    }
    if (
      maxProperties !== undefined &&
      typeof value === 'object' &&
      value !== null &&
      Object.keys(value).length > maxProperties
    ) {
      context.addIssue({ code: 'custom', message: `must have at most ${maxProperties} entries` });
    }
  });
  const validations: CelValidation[] = rules.map(({ rule, message, fieldPath }) => ({
    rule,
    message,
    ...(fieldPath === undefined ? {} : { fieldPath }),
  }));
  return checked.meta({
    ...(validations.length === 0 ? {} : { 'x-kubernetes-validations': validations }),
    ...(listType === undefined ? {} : { 'x-kubernetes-list-type': typeof listType === 'object' ? 'map' : listType }),
    ...(typeof listType === 'object' ? { 'x-kubernetes-list-map-keys': [...listType.map] } : {}),
    ...(maxProperties === undefined ? {} : { maxProperties }),
    ...(intOrString === true ? { 'x-kubernetes-int-or-string': true } : {}),
    ...(preserveUnknownFields === true ? { 'x-kubernetes-preserve-unknown-fields': true } : {}),
  });
}
