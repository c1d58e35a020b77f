// What both write APIs (JSON over HTTPS, matchbox's gRPC) refuse, and why: one validation of a written resource and
// one reading of a store's refusal, so that the two APIs cannot drift apart. Each API maps the answer to its own
// status (an HTTP status, a gRPC code).
import type { z } from 'zod';
import { ConflictingWriteError, InvalidWriteError, describeIssues, issueField, type StrataError } from '@strata/api';
import { InvalidNameError, InvalidResourceError } from '../errors.ts';

/** A refused write: an invalid field, or a conflict with a concurrent write. */
export type WriteRefusal =
  | { readonly kind: 'Invalid'; readonly message: string; readonly field: string }
  | { readonly kind: 'Conflict'; readonly message: string };

/** A refusal of one field: what a schema's validation answers. */
export type InvalidField = Extract<WriteRefusal, { kind: 'Invalid' }>;

export type Validated<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly refusal: InvalidField };

/** Validates a written resource against its write schema; a refusal names the first offending field. */
export function validateWrite<T>(schema: z.ZodType<T>, body: unknown): Validated<T> {
  const result = schema.safeParse(body);
  if (result.success) return { ok: true, value: result.data };
  const first = result.error.issues[0];
  return {
    ok: false,
    refusal: {
      kind: 'Invalid',
      message: describeIssues(result.error),
      field: first === undefined ? 'body' : issueField(first),
    },
  };
}

/** The field a store's refusal names (every store error carries it in its context), or the body as a whole. */
function refusedField(error: StrataError): string {
  const field = error.context['field'];
  return typeof field === 'string' && field.length > 0 ? field : 'body';
}

/** A store's refusal of a write, or undefined for a failure of the store itself (which the caller logs). */
export function storeRefusal(error: unknown): WriteRefusal | undefined {
  if (error instanceof InvalidWriteError || error instanceof InvalidResourceError || error instanceof InvalidNameError)
    return { kind: 'Invalid', message: error.message, field: refusedField(error) };
  if (error instanceof ConflictingWriteError) return { kind: 'Conflict', message: error.message };
  return undefined;
}
