// The console's configuration, from its environment: where kube-apiserver is and how to trust it, and the key
// that seals session cookies. In a pod, where neither a kubeconfig nor an address is given, the address is the one
// the kubelet sets in KUBERNETES_SERVICE_HOST and _PORT, as client-go's in-cluster config reads it (on the local
// platform that is the API server's real address, the Service's being unreachable from a process). Only a kubeconfig's cluster entry is read, never its user: the console holds no
// credentials of its own, so nothing but a signed-in user's token ever reaches the API server. OpenID Connect
// sign-in is configured by the STRATA_CONSOLE_OIDC_* variables, all of its required ones or none. The update
// server's JSON API (ADR 0066) by STRATA_CONSOLE_UPDATE_SERVER_URL and its CA file; without it the update server's
// pages say it is not configured.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { StrataError } from '@strata/api';
import { z } from 'zod';

export class ConsoleConfigError extends StrataError {}

/** iron-session's own minimum for the sealing password. */
const MIN_SECRET_LENGTH = 32;

const OIDC_REQUIRED = [
  'STRATA_CONSOLE_OIDC_ISSUER_URL',
  'STRATA_CONSOLE_OIDC_CLIENT_ID',
  'STRATA_CONSOLE_OIDC_CLIENT_SECRET_FILE',
  'STRATA_CONSOLE_OIDC_REDIRECT_URL',
] as const;

/** A refresh token needs offline_access at most providers; the groups come from the provider's groups claim. */
export const DEFAULT_OIDC_SCOPES = 'openid offline_access';

const environmentSchema = z
  .object({
    STRATA_CONSOLE_KUBECONFIG: z.string().min(1).optional(),
    STRATA_CONSOLE_API_SERVER: z.url({ protocol: /^https$/ }).optional(),
    STRATA_CONSOLE_API_CA_FILE: z.string().min(1).optional(),
    KUBERNETES_SERVICE_HOST: z.string().min(1).optional(),
    KUBERNETES_SERVICE_PORT: z.coerce.number().int().min(1).max(65535).optional(),
    STRATA_CONSOLE_SESSION_SECRET: z.string().min(MIN_SECRET_LENGTH, {
      error: `STRATA_CONSOLE_SESSION_SECRET must hold at least ${MIN_SECRET_LENGTH} characters`,
    }),
    STRATA_CONSOLE_OIDC_ISSUER_URL: z.url({ protocol: /^https$/, error: 'must be an https:// URL' }).optional(),
    STRATA_CONSOLE_OIDC_CLIENT_ID: z.string().min(1).optional(),
    STRATA_CONSOLE_OIDC_CLIENT_SECRET_FILE: z.string().min(1).optional(),
    STRATA_CONSOLE_OIDC_REDIRECT_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL' }).optional(),
    STRATA_CONSOLE_OIDC_CA_FILE: z.string().min(1).optional(),
    STRATA_CONSOLE_UPDATE_SERVER_URL: z
      .url({
        protocol: /^https$/,
        error: 'must be an https:// URL (the bearer token it is sent must not travel in clear)',
      })
      .optional(),
    STRATA_CONSOLE_UPDATE_SERVER_CA_FILE: z.string().min(1).optional(),
    STRATA_CONSOLE_OIDC_SCOPES: z
      .string()
      .regex(/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/, {
        error: 'must be scopes separated by single spaces',
      })
      .optional(),
  })
  .refine(
    (env) =>
      env.STRATA_CONSOLE_KUBECONFIG !== undefined && env.STRATA_CONSOLE_API_SERVER !== undefined
        ? false
        : env.STRATA_CONSOLE_KUBECONFIG !== undefined ||
          env.STRATA_CONSOLE_API_SERVER !== undefined ||
          (env.KUBERNETES_SERVICE_HOST !== undefined && env.KUBERNETES_SERVICE_PORT !== undefined),
    {
      error:
        'set exactly one of STRATA_CONSOLE_KUBECONFIG and STRATA_CONSOLE_API_SERVER (in a pod, neither: KUBERNETES_SERVICE_HOST and _PORT then say where the API server is)',
    },
  )
  .refine(
    (env) =>
      env.STRATA_CONSOLE_UPDATE_SERVER_CA_FILE === undefined || env.STRATA_CONSOLE_UPDATE_SERVER_URL !== undefined,
    { error: 'is set without STRATA_CONSOLE_UPDATE_SERVER_URL', path: ['STRATA_CONSOLE_UPDATE_SERVER_CA_FILE'] },
  )
  .superRefine((env, context) => {
    const set = OIDC_REQUIRED.filter((name) => env[name] !== undefined);
    if (set.length === 0 || set.length === OIDC_REQUIRED.length) return;
    for (const name of OIDC_REQUIRED)
      if (env[name] === undefined)
        context.addIssue({
          code: 'custom',
          path: [name],
          message: `is required with ${set.join(' and ')} (OpenID Connect sign-in needs all of ${OIDC_REQUIRED.join(', ')})`,
        });
  });

export interface ApiServer {
  readonly server: string;
  /** The PEM bundle that signs the API server's certificate; undefined trusts the system's roots. */
  readonly caPem: string | undefined;
}

export interface OidcConfig {
  readonly issuerUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The console's own callback, `/api/oidc/callback` at the address the browser uses. */
  readonly redirectUrl: string;
  /** Where the provider sends the browser after RP-initiated logout: the sign-in page beside the callback. */
  readonly postLogoutRedirectUrl: string;
  readonly scopes: string;
  /** The PEM bundle that signs the provider's certificate; undefined trusts the system's roots. */
  readonly caPem: string | undefined;
}

/** The update server's JSON API (its base URL; the API is under /api/v1), reached with the user's own token. */
export interface UpdateServer {
  readonly url: string;
  /** The PEM bundle that signs its certificate (the cluster CA); undefined trusts the system's roots. */
  readonly caPem: string | undefined;
}

export interface ConsoleConfig {
  readonly apiServer: ApiServer;
  /** Undefined when STRATA_CONSOLE_UPDATE_SERVER_URL is not set. */
  readonly updateServer: UpdateServer | undefined;
  readonly sessionSecret: string;
  /** OpenID Connect sign-in, beside the bearer token; undefined when it is not configured. */
  readonly oidc: OidcConfig | undefined;
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
          server: values.STRATA_CONSOLE_API_SERVER ?? inClusterServer(values),
          caPem:
            values.STRATA_CONSOLE_API_CA_FILE === undefined
              ? undefined
              : readFile(values.STRATA_CONSOLE_API_CA_FILE, 'the CA file'),
        };
  const updateServer =
    values.STRATA_CONSOLE_UPDATE_SERVER_URL === undefined
      ? undefined
      : {
          // The origin only: the client adds /api/v1, and a path here would be silently dropped otherwise.
          url: new URL(values.STRATA_CONSOLE_UPDATE_SERVER_URL).origin,
          caPem:
            values.STRATA_CONSOLE_UPDATE_SERVER_CA_FILE === undefined
              ? undefined
              : readFile(values.STRATA_CONSOLE_UPDATE_SERVER_CA_FILE, 'the update server CA file'),
        };
  return {
    apiServer,
    updateServer,
    sessionSecret: values.STRATA_CONSOLE_SESSION_SECRET,
    oidc: oidcConfig(values),
  };
}

/** `https://<KUBERNETES_SERVICE_HOST>:<_PORT>`, an IPv6 address in brackets, as client-go's in-cluster config. */
function inClusterServer(values: z.infer<typeof environmentSchema>): string {
  const host = values.KUBERNETES_SERVICE_HOST ?? '';
  return `https://${isIP(host) === 6 ? `[${host}]` : host}:${values.KUBERNETES_SERVICE_PORT ?? 443}`;
}

function oidcConfig(values: z.infer<typeof environmentSchema>): OidcConfig | undefined {
  const issuerUrl = values.STRATA_CONSOLE_OIDC_ISSUER_URL;
  const clientId = values.STRATA_CONSOLE_OIDC_CLIENT_ID;
  const secretFile = values.STRATA_CONSOLE_OIDC_CLIENT_SECRET_FILE;
  const redirectUrl = values.STRATA_CONSOLE_OIDC_REDIRECT_URL;
  // The schema has made sure that either all of these are set or none.
  if (issuerUrl === undefined || clientId === undefined || secretFile === undefined || redirectUrl === undefined)
    return undefined;
  const clientSecret = readFile(secretFile, 'the OpenID client secret file').trim();
  if (clientSecret === '')
    throw new ConsoleConfigError(`STRATA_CONSOLE_OIDC_CLIENT_SECRET_FILE: the file ${secretFile} is empty`, {
      path: secretFile,
    });
  return {
    issuerUrl,
    clientId,
    clientSecret,
    redirectUrl,
    postLogoutRedirectUrl: new URL('/login', redirectUrl).href,
    scopes: values.STRATA_CONSOLE_OIDC_SCOPES ?? DEFAULT_OIDC_SCOPES,
    caPem:
      values.STRATA_CONSOLE_OIDC_CA_FILE === undefined
        ? undefined
        : readFile(values.STRATA_CONSOLE_OIDC_CA_FILE, 'the OpenID provider CA file'),
  };
}

let cached: ConsoleConfig | undefined;

/** The configuration of this process, read once. */
export function consoleConfig(): ConsoleConfig {
  cached ??= parseConsoleConfig(process.env);
  return cached;
}
