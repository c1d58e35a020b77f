// Matchbox's data model, field for field, so that a matchbox data directory's
// JSON files parse unchanged. Unknown fields are kept out of the types but not
// rejected: matchbox itself ignores them.
import { z } from 'zod';

/** An id names a file in the data directory: no path separators, no NUL, no dot-dot, not empty. */
export const resourceIdSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(253, 'must be at most 253 characters')
  .regex(/^[^/\\\0]+$/, 'must not contain "/", "\\" or NUL')
  .refine((id) => id !== '.' && id !== '..', { message: 'must not be "." or ".."' });

/** A template file name under ignition/, generic/ or cloud/ (same rules as an id). */
export const templateNameSchema = resourceIdSchema;

export const bootSchema = z.object({
  kernel: z.string().default(''),
  initrd: z.array(z.string()).default([]),
  args: z.array(z.string()).default([]),
});

export const profileSchema = z.object({
  id: resourceIdSchema,
  name: z.string().default(''),
  boot: bootSchema.default({ kernel: '', initrd: [], args: [] }),
  ignition_id: z.string().default(''),
  generic_id: z.string().default(''),
  /** Deprecated in matchbox; served read-only. */
  cloud_id: z.string().default(''),
});

export const groupSchema = z.object({
  id: resourceIdSchema,
  name: z.string().default(''),
  profile: z.string().default(''),
  selector: z.record(z.string(), z.string()).default({}),
  metadata: z.record(z.string(), z.unknown()).default({}),
});

export type Profile = z.infer<typeof profileSchema>;
export type ProfileInput = z.input<typeof profileSchema>;
export type Group = z.infer<typeof groupSchema>;
export type GroupInput = z.input<typeof groupSchema>;

/** The kinds of template a profile can name, each a directory in matchbox's layout. */
export const TEMPLATE_KINDS = ['ignition', 'generic', 'cloud'] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];
