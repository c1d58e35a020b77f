// Where `strata update` acts: the cluster the user's kubeconfig names, and the
// update server's JSON API reached with that kubeconfig's own credentials, so
// RBAC judges the user, never Strata.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { RequestOptions } from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { StrataError } from '@strata/api';
import { loadKubeConfig } from '@strata/kube';
import { apiErrorAnswerSchema, UpdateApiClient } from '@strata/update-server';
import type { z } from 'zod';
import type { TargetOptions } from './update-options.ts';

/** The update server refused a request or answered something unreadable; `status` is its HTTP status. */
export class UpdateServerAnswerError extends StrataError {
  readonly status: number;

  constructor(message: string, status: number, context: Record<string, unknown> = {}) {
    super(message, { status, ...context });
    this.status = status;
  }
}

/** The user's kubeconfig cannot be used for the update server's API (it carries no bearer token). */
export class UpdateCredentialsError extends StrataError {}

export interface UpdateTarget {
  readonly kubeConfig: KubeConfig;
  /** Where the kubeconfig came from, for messages. */
  readonly source: string;
}

/**
 * The kubeconfig: --kubeconfig, else $KUBECONFIG, else the local cluster's
 * (that of --dir or --config, or of the cluster named "local", when `strata up`
 * wrote one), else ~/.kube/config.
 */
export async function updateTarget(options: TargetOptions, env = process.env): Promise<UpdateTarget> {
  if (options.kubeconfig !== undefined)
    return { kubeConfig: loadKubeConfig({ kubeconfigPath: options.kubeconfig }), source: options.kubeconfig };
  const fromEnv = env['KUBECONFIG'];
  if (fromEnv !== undefined && fromEnv !== '' && options.dir === undefined && options.config === undefined) {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromDefault();
    return { kubeConfig, source: `$KUBECONFIG (${fromEnv})` };
  }
  // Loaded only here: the local platform's and the assets' modules cost every other path a second of start-up.
  const { ClusterDirectory, defaultClusterDir } = await import('@strata/platform-local');
  const name =
    options.config === undefined
      ? 'local'
      : (await (await import('@strata/assets')).loadClusterConfig(options.config)).name;
  const local = new ClusterDirectory(options.dir ?? defaultClusterDir(name)).kubeconfigPath;
  if (existsSync(local) || options.dir !== undefined || options.config !== undefined)
    return { kubeConfig: loadKubeConfig({ kubeconfigPath: local }), source: local };
  const home = join(homedir(), '.kube', 'config');
  return { kubeConfig: loadKubeConfig({ kubeconfigPath: home }), source: home };
}

export interface ServerApiOptions {
  /** The update server's base URL (its JSON API is under /api/v1). */
  readonly server: string;
  /** The CA of its serving certificate; the kubeconfig's cluster CA when absent (the server's is from the cluster CA). */
  readonly serverCaFile?: string;
}

/**
 * A reader of the update server's JSON API with the kubeconfig's bearer token
 * (a static token, or what an exec or OIDC provider gives). The server reviews
 * it with a TokenReview and asks RBAC about the user, so a user who may not
 * see a group gets the server's 403.
 */
export class UpdateServerReader {
  readonly #client: UpdateApiClient;

  constructor(client: UpdateApiClient) {
    this.#client = client;
  }

  static async connect(target: UpdateTarget, options: ServerApiOptions): Promise<UpdateServerReader> {
    const requestOptions: RequestOptions = {};
    await target.kubeConfig.applyToHTTPSOptions(requestOptions);
    const headers = requestOptions.headers ?? {};
    const authorization = Object.entries(headers).find(([name]) => name.toLowerCase() === 'authorization')?.[1];
    const token = typeof authorization === 'string' ? /^Bearer (\S+)$/i.exec(authorization)?.[1] : undefined;
    if (token === undefined)
      throw new UpdateCredentialsError(
        `--server: the user of ${target.source} has no bearer token (a client certificate, most likely), and the update server reviews bearer tokens only; use a kubeconfig whose user has a token, or leave out --server to read the groups' status through the Kubernetes API`,
        { kubeconfig: target.source },
      );
    return new UpdateServerReader(
      new UpdateApiClient({ baseUrl: options.server, token, caPem: await serverCa(target, options) }),
    );
  }

  /** GETs `path` under /api/v1 and parses a 200's body with `schema`; anything else is an UpdateServerAnswerError quoting the server. */
  async get<T extends z.ZodType>(path: string, schema: T): Promise<z.output<T>> {
    const answer = await this.#client.get(path);
    if (answer.status !== 200) {
      const refusal = apiErrorAnswerSchema.safeParse(answer.body);
      const words = refusal.success
        ? `${refusal.data.error.reason}: ${refusal.data.error.message}`
        : 'no error message';
      throw new UpdateServerAnswerError(
        `the update server answered GET /api/v1${path} with ${answer.status} (${words})`,
        answer.status,
        { path },
      );
    }
    const parsed = schema.safeParse(answer.body);
    if (!parsed.success)
      throw new UpdateServerAnswerError(
        `the update server's answer to GET /api/v1${path} cannot be read at ${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? ''}`,
        answer.status,
        { path },
      );
    return parsed.data;
  }
}

async function serverCa(target: UpdateTarget, options: ServerApiOptions): Promise<string | undefined> {
  if (options.serverCaFile !== undefined) {
    try {
      return await readFile(options.serverCaFile, 'utf8');
    } catch (error) {
      throw new UpdateCredentialsError(
        `--server-ca-file: cannot read ${options.serverCaFile}: ${(error as Error).message}`,
        { file: options.serverCaFile },
        { cause: error },
      );
    }
  }
  const cluster = target.kubeConfig.getCurrentCluster();
  if (cluster?.caData !== undefined) return Buffer.from(cluster.caData, 'base64').toString('utf8');
  if (cluster?.caFile !== undefined) return readFile(cluster.caFile, 'utf8');
  return undefined;
}
