// `strata update`'s flags and arguments, checked with zod once commander has
// read them: a bad one is a UsageError naming the flag, and exit code 2.
import { z } from 'zod';
import { OS_VERSION_PATTERN, StrataError } from '@strata/api';
import { MACHINE_STATES } from '@strata/update-server';

/** A flag or argument the command refuses; `context.flag` names it. */
export class UpdateUsageError extends StrataError {}

const objectName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'must be a Kubernetes object name (lower case, digits, - and .)');
const version = z
  .string()
  .max(96)
  .regex(new RegExp(OS_VERSION_PATTERN), 'must be a Container Linux version such as 4230.2.4');

/** How the command finds the cluster: the same choice for every subcommand. */
const targetSchema = {
  kubeconfig: z.string().min(1, 'must name a file').optional(),
  config: z.string().min(1).optional(),
  dir: z.string().min(1).optional(),
  json: z.boolean().default(false),
};

export const channelsOptionsSchema = z.object(targetSchema);
export const groupsOptionsSchema = z.object(targetSchema);

export const promoteOptionsSchema = z
  .object({
    ...targetSchema,
    version: version.optional(),
    channel: objectName,
    release: objectName.optional(),
  })
  .refine((options) => (options.version === undefined) !== (options.release === undefined), {
    message: 'give either a <version> or --release <name>, not both and not neither',
    path: ['release'],
  });

export const pauseOptionsSchema = z.object({ ...targetSchema, group: objectName });

export const statusOptionsSchema = z.object({
  ...targetSchema,
  group: objectName.optional(),
  server: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://127.0.0.1:8443' }).optional(),
  serverCaFile: z.string().min(1).optional(),
  machines: z.boolean().default(false),
  state: z.enum(MACHINE_STATES).optional(),
  running: version.optional(),
  continue: z.string().min(1).max(1024).optional(),
  limit: z.coerce
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(500, 'must be at most 500')
    .default(50),
});

export type TargetOptions = z.output<typeof channelsOptionsSchema>;
export type PromoteOptions = z.output<typeof promoteOptionsSchema>;
export type PauseOptions = z.output<typeof pauseOptionsSchema>;
export type StatusOptions = z.output<typeof statusOptionsSchema>;

/** How each option is spelled on the command line, for the error that names it. */
const FLAGS: Record<string, string> = {
  kubeconfig: '--kubeconfig',
  config: '--config',
  dir: '--dir',
  json: '--json',
  version: '<version>',
  channel: '--channel',
  release: '--release',
  group: '<group>',
  server: '--server',
  serverCaFile: '--server-ca-file',
  machines: '--machines',
  state: '--state',
  running: '--running',
  limit: '--limit',
  continue: '--continue',
};

/** Parses what commander read; the first problem becomes an UpdateUsageError naming its flag and the value given. */
export function parseUpdateOptions<T extends z.ZodType>(schema: T, raw: Record<string, unknown>): z.output<T> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const key = String(issue?.path[0] ?? '');
  const flag = FLAGS[key] ?? key;
  const given = raw[key];
  const shown = typeof given === 'string' ? ` (got ${JSON.stringify(given)})` : '';
  throw new UpdateUsageError(`${flag}: ${issue?.message ?? 'is invalid'}${shown}`, { flag });
}
