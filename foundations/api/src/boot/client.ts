// The write API's client, for the Pulumi providers, the installer and tests.
// It speaks to exactly one server with the endpoint's own CA: the system's
// trust store plays no part.
import { Agent, request as httpsRequest } from 'node:https';
import { z } from 'zod';
import { groupSchema, profileSchema, type Group, type Profile } from './model.ts';
import { servedMachineSchema, type ServedMachine } from './served.ts';
import type { BootApi, BootApiEndpoint, WriteApiError } from './contract.ts';
import { BootApiConnectionError, BootApiError } from './errors.ts';
import { routePath, type WritableTemplateKind, type WriteApiRoute } from './routes.ts';

const endpointSchema = z.object({
  url: z.url({ protocol: /^https$/, error: 'must be an https:// URL' }),
  caPem: z.string().includes('BEGIN CERTIFICATE', { error: 'must be a PEM certificate' }),
  certPem: z.string().includes('BEGIN CERTIFICATE', { error: 'must be a PEM certificate' }),
  keyPem: z.string().includes('PRIVATE KEY', { error: 'must be a PEM private key' }),
});

const errorBodySchema = z.object({
  kind: z.enum(['NotFound', 'Invalid', 'Conflict', 'TooLarge', 'Unauthorized', 'Internal']),
  message: z.string(),
  field: z.string().optional(),
});

const listSchema = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

interface Answer {
  readonly status: number;
  readonly body: Buffer;
}

export interface BootApiClientOptions {
  /** Per-request timeout; the default suits a store that waits for its own write to be visible. */
  readonly timeoutMs?: number;
}

export class BootApiClient implements BootApi {
  readonly #base: URL;
  readonly #agent: Agent;
  readonly #timeoutMs: number;

  constructor(endpoint: BootApiEndpoint, options: BootApiClientOptions = {}) {
    const parsed = endpointSchema.safeParse(endpoint);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') ?? 'endpoint';
      throw new BootApiConnectionError(
        `the write API endpoint is not usable: ${field} ${issue?.message ?? 'is invalid'}`,
        { route: '-', url: String(endpoint.url), code: 'InvalidEndpoint' },
      );
    }
    this.#base = new URL(parsed.data.url);
    this.#agent = new Agent({
      ca: endpoint.caPem,
      cert: endpoint.certPem,
      key: endpoint.keyPem,
      minVersion: 'TLSv1.2',
      keepAlive: true,
    });
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  async listProfiles(): Promise<Profile[]> {
    return this.#json({ resource: 'profiles' }, listSchema(profileSchema)).then((list) => list.items);
  }

  async getProfile(id: string): Promise<Profile | undefined> {
    return this.#optional(() => this.#json({ resource: 'profiles', id }, profileSchema));
  }

  async putProfile(profile: Profile): Promise<void> {
    await this.#call('PUT', { resource: 'profiles', id: profile.id }, JSON.stringify(profile));
  }

  async deleteProfile(id: string): Promise<boolean> {
    return this.#delete({ resource: 'profiles', id });
  }

  async listGroups(): Promise<Group[]> {
    return this.#json({ resource: 'groups' }, listSchema(groupSchema)).then((list) => list.items);
  }

  async getGroup(id: string): Promise<Group | undefined> {
    return this.#optional(() => this.#json({ resource: 'groups', id }, groupSchema));
  }

  async putGroup(group: Group): Promise<void> {
    await this.#call('PUT', { resource: 'groups', id: group.id }, JSON.stringify(group));
  }

  async deleteGroup(id: string): Promise<boolean> {
    return this.#delete({ resource: 'groups', id });
  }

  async listTemplates(kind: WritableTemplateKind): Promise<string[]> {
    return this.#json({ resource: 'templates', kind }, listSchema(z.string())).then((list) => list.items);
  }

  async getTemplate(kind: WritableTemplateKind, name: string): Promise<string | undefined> {
    return this.#optional(async () =>
      (await this.#call('GET', { resource: 'templates', kind, name })).body.toString('utf8'),
    );
  }

  async putTemplate(kind: WritableTemplateKind, name: string, content: string): Promise<void> {
    await this.#call('PUT', { resource: 'templates', kind, name }, content, 'text/plain; charset=utf-8');
  }

  async deleteTemplate(kind: WritableTemplateKind, name: string): Promise<boolean> {
    return this.#delete({ resource: 'templates', kind, name });
  }

  async listServed(): Promise<ServedMachine[]> {
    return (await this.#json({ resource: 'served' }, listSchema(servedMachineSchema))).items;
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.#agent.destroy();
  }

  async #optional<T>(read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read();
    } catch (error) {
      if (error instanceof BootApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  async #delete(route: WriteApiRoute): Promise<boolean> {
    return (await this.#optional(() => this.#call('DELETE', route))) !== undefined;
  }

  async #json<T>(route: WriteApiRoute, schema: z.ZodType<T>): Promise<T> {
    const answer = await this.#call('GET', route);
    const label = `GET ${routePath(route)}`;
    let body: unknown;
    try {
      body = JSON.parse(answer.body.toString('utf8')) as unknown;
    } catch (error) {
      throw new BootApiError(
        `${label}: the server answered something other than JSON`,
        { status: answer.status, kind: 'Internal', route: label },
        { cause: error },
      );
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success)
      throw new BootApiError(`${label}: the server's answer does not match the contract: ${parsed.error.message}`, {
        status: answer.status,
        kind: 'Internal',
        route: label,
      });
    return parsed.data;
  }

  #call(
    method: 'GET' | 'PUT' | 'DELETE',
    route: WriteApiRoute,
    body?: string,
    contentType = 'application/json',
  ): Promise<Answer> {
    const path = routePath(route);
    const label = `${method} ${path}`;
    const url = this.#base;
    return new Promise<Answer>((resolve, reject) => {
      const headers: Record<string, string | number> = { accept: 'application/json' };
      if (body !== undefined) {
        headers['content-type'] = contentType;
        headers['content-length'] = Buffer.byteLength(body);
      }
      // The path goes out as built (after the base URL's own path, if any):
      // a URL object would resolve ".." segments before the server could refuse them.
      const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
      const fullPath = `${url.pathname.replace(/\/$/, '')}${path}`;
      const outgoing = httpsRequest(
        { hostname, port: url.port, path: fullPath, method, agent: this.#agent, headers, timeout: this.#timeoutMs },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('error', (error) => reject(connectionError(label, url, error)));
          incoming.on('end', () => {
            const answer = { status: incoming.statusCode ?? 0, body: Buffer.concat(chunks) };
            if (answer.status >= 200 && answer.status < 300) resolve(answer);
            else reject(errorFromAnswer(label, answer));
          });
        },
      );
      outgoing.on('timeout', () =>
        outgoing.destroy(
          new BootApiConnectionError(`${label}: no answer within ${this.#timeoutMs} ms`, {
            route: label,
            url: url.origin,
            code: 'Timeout',
          }),
        ),
      );
      outgoing.on('error', (error) =>
        reject(error instanceof BootApiConnectionError ? error : connectionError(label, url, error)),
      );
      outgoing.end(body);
    });
  }
}

function connectionError(label: string, url: URL, error: Error): BootApiConnectionError {
  const code = (error as NodeJS.ErrnoException).code;
  return new BootApiConnectionError(
    `${label}: could not talk to the write API at ${url.origin}: ${error.message}`,
    { route: label, url: url.origin, code },
    { cause: error },
  );
}

function errorFromAnswer(label: string, answer: Answer): BootApiError {
  const text = answer.body.toString('utf8');
  let parsed: WriteApiError | undefined;
  try {
    const result = errorBodySchema.safeParse(JSON.parse(text));
    parsed = result.success ? result.data : undefined;
  } catch {
    parsed = undefined;
  }
  const kind =
    parsed?.kind ??
    (answer.status === 404
      ? 'NotFound'
      : answer.status === 413
        ? 'TooLarge'
        : answer.status >= 500
          ? 'Internal'
          : 'Invalid');
  const message = parsed?.message ?? (text.slice(0, 200) || `status ${answer.status}`);
  return new BootApiError(`${label}: ${answer.status} ${kind}: ${message}`, {
    status: answer.status,
    kind,
    route: label,
    field: parsed?.field,
  });
}
