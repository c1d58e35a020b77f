// Matchbox's data model, field for field, so that a matchbox data directory's
// JSON files parse unchanged. Unknown fields are kept out of the types but not
// rejected: matchbox itself ignores them.
//
// The MachineProfile and MachineGroup CRDs (crds.ts) are generated from these
// schemas, so every bound here is also the API server's: the lengths and counts
// keep a single object, and the metadata the templates walk, reasonably small.
import { z } from 'zod';
import { kubernetes } from '../crd/schema-rules.ts';

const MAX_NAME_LENGTH = 253;
const MAX_TITLE_LENGTH = 1024;
const MAX_PATH_LENGTH = 4096;
const MAX_LIST_ITEMS = 256;
const MAX_SELECTOR_LABELS = 64;

const NOT_DOT_MESSAGE = 'must not be "." or ".."';
const notDotOrDotDot = {
  rule: "self != '.' && self != '..'",
  message: NOT_DOT_MESSAGE,
  holds: (name: string) => name !== '.' && name !== '..',
};

/** An id names a file in the data directory: no path separators, no NUL, no dot-dot, not empty. */
export const resourceIdSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_NAME_LENGTH, `must be at most ${MAX_NAME_LENGTH} characters`)
  // eslint-disable-next-line no-control-regex -- refusing NUL is the point; \x00 (not \0) so the CRD's RE2 pattern reads the same.
  .regex(/^[^/\\\x00]+$/, 'must not contain "/", "\\" or NUL')
  .refine(notDotOrDotDot.holds, { message: NOT_DOT_MESSAGE });

/** A template file name under ignition/, generic/ or cloud/ (same rules as an id). */
export const templateNameSchema = resourceIdSchema;

/**
 * A name that a profile or group refers to (a template, a profile): empty for none, otherwise the rules of
 * resourceIdSchema, so that a reference stays inside its directory. One string schema rather than a union of '' and
 * an id, because a CRD's structural schema has no unions; the dot rule is CEL there.
 */
export const referenceSchema = kubernetes(
  z
    .string()
    .max(MAX_NAME_LENGTH, `must be at most ${MAX_NAME_LENGTH} characters`)
    // eslint-disable-next-line no-control-regex -- as in resourceIdSchema.
    .regex(/^[^/\\\x00]*$/, 'must not contain "/", "\\" or NUL'),
  { rules: [notDotOrDotDot] },
);

const reference = (description: string) => referenceSchema.default('').describe(description);
const stringList = (description: string) =>
  z.array(z.string().max(MAX_PATH_LENGTH)).max(MAX_LIST_ITEMS).default([]).describe(description);
const title = () => z.string().max(MAX_TITLE_LENGTH).default('').describe('A human-readable name.');

export const bootSchema = z.object({
  kernel: z.string().max(MAX_PATH_LENGTH).default('').describe('Kernel URL or path, e.g. /assets/flatcar/vmlinuz.'),
  initrd: stringList('Initrd URLs or paths.'),
  args: stringList('Kernel arguments.'),
});

export const profileSchema = z.object({
  id: resourceIdSchema,
  name: title(),
  boot: bootSchema
    .default({ kernel: '', initrd: [], args: [] })
    .describe('The kernel, initrds and kernel arguments served by /ipxe and /grub.'),
  ignition_id: reference(
    'The Ignition template (a key of a ConfigMap labelled boot.strata.dev/template-kind=ignition) served by /ignition.',
  ),
  generic_id: reference('The generic template served by /generic.'),
  /** Deprecated in matchbox; served read-only. */
  cloud_id: reference('Deprecated in matchbox: the cloud-config template served by /cloud.'),
});

export const groupSchema = z.object({
  id: resourceIdSchema,
  name: title(),
  profile: reference('The MachineProfile (by name) that matching machines boot.'),
  selector: kubernetes(z.record(z.string(), z.string().max(MAX_TITLE_LENGTH)), { maxProperties: MAX_SELECTOR_LABELS })
    .default({})
    .describe('Labels a request must carry, e.g. mac: 52:54:00:12:34:56. Empty: the default group.'),
  metadata: kubernetes(z.record(z.string(), z.unknown()), { preserveUnknownFields: true })
    .default({})
    .describe('Values the templates can use (any JSON object).'),
});

export type Profile = z.infer<typeof profileSchema>;
export type ProfileInput = z.input<typeof profileSchema>;
export type Group = z.infer<typeof groupSchema>;
export type GroupInput = z.input<typeof groupSchema>;

/** The kinds of template a profile can name, each a directory in matchbox's layout. */
export const TEMPLATE_KINDS = ['ignition', 'generic', 'cloud'] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];
