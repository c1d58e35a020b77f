// The "Any custom resource" pages' shapes, shared by the server (which reads CRDs and objects as the user) and the
// browser: a CRD as the pages use it, its objects as rows of printer-column cells, and the evaluation of a printer
// column's JSONPath, kept to the simple paths (`.a.b.c`) the console can evaluate without a JSONPath engine.
import { z } from 'zod';
import { dnsLabelSchema } from '@strata/api';
import { CLUSTER_SCOPE } from './workloads.ts';

/** A CRD's group as a URL segment: a DNS subdomain (a CRD always has a group; the core group has no CRDs). */
export const crdGroupSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/, { error: 'not an API group' });

/** A CRD's plural as a URL segment: a DNS label. */
export const crdPluralSchema = dnsLabelSchema;

/** A route's group and plural, or why not: the CRD itself is then looked up as the user. */
export function parseCrdSegments(params: {
  readonly group: string;
  readonly plural: string;
}): { readonly group: string; readonly plural: string } | string {
  const group = crdGroupSchema.safeParse(params.group);
  const plural = crdPluralSchema.safeParse(params.plural);
  if (!group.success || !plural.success) return 'not an API group and resource plural';
  return { group: group.data, plural: plural.data };
}

export const printerColumnSchema = z.strictObject({
  name: z.string(),
  /** The OpenAPI type the CRD declares (string, integer, date, ...): shown as the text the path gives. */
  type: z.string(),
  jsonPath: z.string(),
});
export type PrinterColumn = z.infer<typeof printerColumnSchema>;

/** A served CRD as the pages use it: the version listed is the storage version (always served). */
export const crdInfoSchema = z.strictObject({
  group: z.string(),
  plural: z.string(),
  kind: z.string(),
  version: z.string(),
  namespaced: z.boolean(),
  printerColumns: z.array(printerColumnSchema),
});
export type CrdInfo = z.infer<typeof crdInfoSchema>;

export const customRowSchema = z.strictObject({
  /** '' for a cluster-scoped resource. */
  namespace: z.string(),
  name: z.string(),
  /** One per printer column, in the CRD's order; '' where the path gives nothing. */
  cells: z.array(z.string()),
  /** RFC 3339, '' when unknown. */
  created: z.string(),
});
export type CustomRow = z.infer<typeof customRowSchema>;

const SIMPLE_PATH = /^(\.[A-Za-z0-9_-]+)+$/;

/**
 * A printer column's value in `object`, as text: the simple JSONPath `.a.b.c` (the form nearly every CRD uses) is
 * followed field by field; anything else (filters, wildcards, brackets), a missing field, or an object or list at
 * the end gives ''. Never throws: a column the console cannot evaluate is an empty cell.
 */
export function evaluatePrinterColumn(object: unknown, jsonPath: string): string {
  const path = jsonPath.trim();
  if (!SIMPLE_PATH.test(path)) return '';
  let value: unknown = object;
  for (const field of path.slice(1).split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return '';
    if (!Object.hasOwn(value, field)) return '';
    value = (value as Record<string, unknown>)[field];
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/** The path of an object's page and route below the CRD: namespace (or CLUSTER_SCOPE), name. */
export const customObjectPath = (crd: { group: string; plural: string }, namespace: string, name: string): string =>
  `${encodeURIComponent(crd.group)}/${encodeURIComponent(crd.plural)}/${encodeURIComponent(
    namespace === '' ? CLUSTER_SCOPE : namespace,
  )}/${encodeURIComponent(name)}`;
