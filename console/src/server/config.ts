// The console's configuration, from its environment: where kube-apiserver is and how to trust it, and the key
// that seals session cookies. Only a kubeconfig's cluster entry is read, never its user: the console holds no
// credentials of its own, so nothing but a signed-in user's token ever reaches the API server.
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { StrataError } from '@strata/api';
import { z } from 'zod';

export class ConsoleConfigError extends StrataError {}

/** iron-session's own minimum for the sealing password. */
const MIN_SECRET_LENGTH = 32;

const environmentSchema = z
  .object({
    STRATA_CONSOLE_KUBECONFIG: z.string().min(1).optional(),
    STRATA_CONSOLE_API_SERVER: z.url({ protocol: /^https$/ }).optional(),
    STRATA_CONSOLE_API_CA_FILE: z.string().min(1).optional(),
    STRATA_CONSOLE_SESSION_SECRET: z.string().min(MIN_SECRET_LENGTH, {
      error: `STRATA_CONSOLE_SESSION_SECRET must hold at least ${MIN_SECRET_LENGTH} characters`,
    }),
  })
  .refine((env) => (env.STRATA_CONSOLE_KUBECONFIG === undefined) !== (env.STRATA_CONSOLE_API_SERVER === undefined), {
    error: 'set exactly one of STRATA_CONSOLE_KUBECONFIG and STRATA_CONSOLE_API_SERVER',
  });

export interface ApiServer {
  readonly server: string;
  /** The PEM bundle that signs the API server's certificate; undefined trusts the system's roots. */
  readonly caPem: string | undefined;
}

export interface ConsoleConfig {
  readonly apiServer: ApiServer;
  readonly sessionSecret: string;
}

function readFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConsoleConfigError(`cannot read ${what} ${path}`, { path }, { cause: error });
  }
}

/** The current context's cluster of a kubeconfig; its user entry is ignored on purpose. */
function clusterOfKubeconfig(path: string): ApiServer {
  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromString(readFile(path, 'the kubeconfig'));
  } catch (error) {
    if (error instanceof ConsoleConfigError) throw error;
    throw new ConsoleConfigError(`the kubeconfig ${path} is not valid`, { path }, { cause: error });
  }
  const cluster = kubeConfig.getCurrentCluster();
  if (cluster === null) throw new ConsoleConfigError(`the kubeconfig ${path} has no current cluster`, { path });
  const caPem =
    cluster.caData !== undefined
      ? Buffer.from(cluster.caData, 'base64').toString('utf8')
      : cluster.caFile !== undefined
        ? readFile(cluster.caFile, 'the CA file')
        : undefined;
  return { server: cluster.server, caPem };
}

export function parseConsoleConfig(env: Readonly<Record<string, string | undefined>>): ConsoleConfig {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    // Only the names and the messages: a value may be the session secret.
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`);
    throw new ConsoleConfigError(`the console's configuration is invalid: ${problems.join('; ')}`, { problems });
  }
  const values = parsed.data;
  const apiServer =
    values.STRATA_CONSOLE_KUBECONFIG !== undefined
      ? clusterOfKubeconfig(values.STRATA_CONSOLE_KUBECONFIG)
      : {
          server: values.STRATA_CONSOLE_API_SERVER ?? '',
          caPem:
            values.STRATA_CONSOLE_API_CA_FILE === undefined
              ? undefined
              : readFile(values.STRATA_CONSOLE_API_CA_FILE, 'the CA file'),
        };
  return { apiServer, sessionSecret: values.STRATA_CONSOLE_SESSION_SECRET };
}

let cached: ConsoleConfig | undefined;

/** The configuration of this process, read once. */
export function consoleConfig(): ConsoleConfig {
  cached ??= parseConsoleConfig(process.env);
  return cached;
}
