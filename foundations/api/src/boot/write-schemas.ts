// The write API accepts exactly matchbox's fields. Reading a data directory
// tolerates unknown fields (matchbox does); a write is stricter, so a typo
// such as "ignitionId" is refused with its name instead of silently dropped.
import { z } from 'zod';
import { bootSchema, groupSchema, profileSchema } from './model.ts';

export const profileWriteSchema = z.strictObject({
  ...profileSchema.shape,
  boot: z.strictObject(bootSchema.shape).default({ kernel: '', initrd: [], args: [] }),
});

export const groupWriteSchema = z.strictObject(groupSchema.shape);

/** The field an issue is about, as a dotted path ("boot.initrd.0"); "body" for the body as a whole. */
export function issueField(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  return path.length === 0 ? 'body' : path.join('.');
}

/** Every issue as "field: message", for an error message that names all of them at once. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issueField(issue)}: ${issue.message}`).join('; ');
}
