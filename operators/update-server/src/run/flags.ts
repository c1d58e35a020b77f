// The process's flags, checked with zod after commander has read them: a bad
// value stops the process at once with the flag's name, never later.
import { z } from 'zod';
import { UpdateServerError } from '../errors.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
/** The environment variable a Secret's PostgreSQL URL arrives in (secretKeyRef), so it is never in the pod spec. */
export const DATABASE_URL_VARIABLE = 'STRATA_UPDATE_SERVER_DATABASE_URL';

const port = z.coerce
  .number({ error: 'must be a whole number' })
  .int('must be a whole number')
  .min(0, 'must be a port, 0 to 65535')
  .max(65535, 'must be a port, 0 to 65535');
const seconds = (minimum: number) =>
  z.coerce
    .number({ error: 'must be a whole number of seconds' })
    .int('must be a whole number of seconds')
    .min(minimum, `must be at least ${minimum} seconds`);

export const runFlagsSchema = z
  .strictObject({
    kubeconfig: z.string().min(1).optional(),
    identity: z.string().min(1, 'must not be empty').max(253),
    leaseNamespace: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a namespace name'),
    host: z.string().min(1),
    port,
    tlsCertFile: z.string().min(1).optional(),
    tlsKeyFile: z.string().min(1).optional(),
    sqlitePath: z.string().min(1),
    historyRetentionSeconds: seconds(3600),
    logLevel: z.enum(LOG_LEVELS),
  })
  .refine((flags) => (flags.tlsCertFile === undefined) === (flags.tlsKeyFile === undefined), {
    message: 'give both --tls-cert-file and --tls-key-file, or neither',
    path: ['tlsCertFile'],
  });
export type RunFlags = z.output<typeof runFlagsSchema>;

const kebab = (field: string) => `--${field.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;

/** Parses commander's options; throws UpdateServerError naming the flag. */
export function parseRunFlags(raw: unknown): RunFlags {
  const parsed = runFlagsSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = String(issue?.path[0] ?? '');
  const flag = field === '' ? 'the flags' : kebab(field);
  throw new UpdateServerError(`${flag} ${issue?.message ?? 'is invalid'}`, { flag });
}

/** PostgreSQL when the Secret's URL is set (several replicas), SQLite otherwise (one replica). */
export type StoreChoice =
  { readonly kind: 'postgres'; readonly connectionString: string } | { readonly kind: 'sqlite'; readonly path: string };

export function chooseStore(flags: RunFlags, environment: Readonly<Record<string, string | undefined>>): StoreChoice {
  const url = environment[DATABASE_URL_VARIABLE];
  if (url === undefined || url === '') return { kind: 'sqlite', path: flags.sqlitePath };
  if (!/^postgres(ql)?:\/\//.test(url))
    // The value may carry a password: the error names the variable, never the value.
    throw new UpdateServerError(`${DATABASE_URL_VARIABLE} must be a postgres:// or postgresql:// URL`, {
      variable: DATABASE_URL_VARIABLE,
    });
  return { kind: 'postgres', connectionString: url };
}
