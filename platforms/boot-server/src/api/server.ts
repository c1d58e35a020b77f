// The write API: JSON over HTTPS, and only for clients whose certificate the
// configured CA signed. The TLS layer refuses everyone else during the
// handshake, before any request is parsed.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { pino, type Logger } from 'pino';
import { StrataError } from '@strata/api';
import type { z } from 'zod';
import type { Group, Profile } from '@strata/api';
import type { WritableBootStore } from '../store/store.ts';
import type { ServedMachines } from '../server/served-machines.ts';
import { formatHostPort, listenAddressSchema } from './address.ts';
import { BodyTooLargeError, readBody } from '@strata/host';
import type { WriteApiError } from '@strata/api';
import { storeRefusal, validateWrite, type WriteRefusal } from './refusals.ts';
import { parseRoute, routePattern, type WritableTemplateKind, type WriteApiRoute } from '@strata/api';
import { groupWriteSchema, profileWriteSchema } from '@strata/api';

export interface WriteApiTls {
  /** The write API's serving certificate and key (PEM). */
  readonly certPem: string;
  readonly keyPem: string;
  /** The CA whose client certificates are let in (PEM); nothing else is. */
  readonly caPem: string;
}

export interface WriteApiOptions {
  /** host:port, e.g. 127.0.0.1:8081 (port 0 picks a free one). */
  readonly address: string;
  readonly store: WritableBootStore;
  readonly tls: WriteApiTls;
  readonly logger?: Logger;
  readonly maxBodyBytes?: number;
  /** The read side's record of what it served, listed at GET /v1/served; without it the list is empty. */
  readonly served?: ServedMachines;
}

export interface RunningWriteApi {
  /** The base URL, e.g. https://127.0.0.1:8081 (with the real port when 0 was asked). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** An answer other than success, raised inside a handler and written by the dispatcher. */
class Refusal extends StrataError {
  readonly status: number;
  readonly body: WriteApiError;

  constructor(status: number, body: WriteApiError) {
    super(body.message, { status, ...body });
    this.status = status;
    this.body = body;
  }
}

const invalid = (message: string, field: string) => new Refusal(400, { kind: 'Invalid', message, field });
const notFound = (message: string) => new Refusal(404, { kind: 'NotFound', message });

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

function sendEmpty(response: ServerResponse, status: number): void {
  response.writeHead(status, { 'content-length': 0 });
  response.end();
}

async function readJson(request: IncomingMessage, limit: number): Promise<unknown> {
  const text = await readText(request, limit);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw invalid(`the body is not JSON: ${error instanceof Error ? error.message : String(error)}`, 'body');
  }
}

async function readText(request: IncomingMessage, limit: number): Promise<string> {
  const bytes = await readBody(request, { maxBytes: limit });
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalid('the body is not valid UTF-8', 'body');
  }
}

/** Validates a PUT body against its schema and the id in the URL. */
function parseResource<T extends { id: string }>(schema: z.ZodType<T>, body: unknown, urlId: string): T {
  const result = validateWrite(schema, body);
  if (!result.ok) throw refused(result.refusal);
  if (result.value.id !== urlId)
    throw invalid(
      `id ${JSON.stringify(result.value.id)} in the body must equal the id ${JSON.stringify(urlId)} in the URL`,
      'id',
    );
  return result.value;
}

const refused = (refusal: WriteRefusal): Refusal =>
  refusal.kind === 'Invalid' ? invalid(refusal.message, refusal.field) : new Refusal(409, refusal);

const byId = <T extends { id: string }>(items: Iterable<T>): T[] =>
  [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/** Handles one routed request; returns nothing, having answered. */
async function serveRoute(
  route: WriteApiRoute,
  request: IncomingMessage,
  response: ServerResponse,
  store: WritableBootStore,
  limit: number,
  served: ServedMachines | undefined,
): Promise<void> {
  const method = request.method ?? 'GET';
  if (route.resource === 'served') {
    if (method !== 'GET') throw methodNotAllowed(method, ['GET']);
    return sendJson(response, 200, { items: served?.list() ?? [] });
  }
  if (route.resource === 'templates')
    return serveTemplates(route.kind, route.name, method, request, response, store, limit);
  const kind = route.resource === 'profiles' ? 'profile' : 'group';
  const current = (): ReadonlyMap<string, Profile | Group> =>
    route.resource === 'profiles' ? store.snapshot().profiles : store.snapshot().groups;
  if (route.id === undefined) {
    if (method !== 'GET') throw methodNotAllowed(method, ['GET']);
    return sendJson(response, 200, { items: byId(current().values()) });
  }
  const id = route.id;
  switch (method) {
    case 'GET': {
      const found = current().get(id);
      if (found === undefined) throw notFound(`${kind} ${JSON.stringify(id)} does not exist`);
      return sendJson(response, 200, found);
    }
    case 'PUT': {
      const body = await readJson(request, limit);
      const existed = current().has(id);
      if (route.resource === 'profiles') {
        const profile = parseResource(profileWriteSchema, body, id);
        await store.putProfile(profile);
        return sendJson(response, existed ? 200 : 201, profile);
      }
      const group = parseResource(groupWriteSchema, body, id);
      await store.putGroup(group);
      return sendJson(response, existed ? 200 : 201, group);
    }
    case 'DELETE': {
      const deleted = route.resource === 'profiles' ? await store.deleteProfile(id) : await store.deleteGroup(id);
      if (!deleted) throw notFound(`${kind} ${JSON.stringify(id)} does not exist`);
      return sendEmpty(response, 204);
    }
    default:
      throw methodNotAllowed(method, ['GET', 'PUT', 'DELETE']);
  }
}

async function serveTemplates(
  kind: WritableTemplateKind,
  name: string | undefined,
  method: string,
  request: IncomingMessage,
  response: ServerResponse,
  store: WritableBootStore,
  limit: number,
): Promise<void> {
  const current = () => store.snapshot().templates[kind];
  if (name === undefined) {
    if (method !== 'GET') throw methodNotAllowed(method, ['GET']);
    return sendJson(response, 200, { items: [...current().keys()].sort() });
  }
  switch (method) {
    case 'GET': {
      const text = current().get(name);
      if (text === undefined) throw notFound(`${kind} template ${JSON.stringify(name)} does not exist`);
      response.writeHead(200, {
        'content-type': 'text/plain; charset=utf-8',
        'content-length': Buffer.byteLength(text),
      });
      response.end(text);
      return;
    }
    case 'PUT': {
      const text = await readText(request, limit);
      const existed = current().has(name);
      await store.putTemplate(kind, name, text);
      return sendEmpty(response, existed ? 200 : 201);
    }
    case 'DELETE': {
      if (!(await store.deleteTemplate(kind, name)))
        throw notFound(`${kind} template ${JSON.stringify(name)} does not exist`);
      return sendEmpty(response, 204);
    }
    default:
      throw methodNotAllowed(method, ['GET', 'PUT', 'DELETE']);
  }
}

function methodNotAllowed(method: string, allowed: readonly string[]): Refusal {
  return new Refusal(405, {
    kind: 'Invalid',
    message: `method ${method} is not allowed here; use ${allowed.join(', ')}`,
    field: 'method',
  });
}

function clientName(request: IncomingMessage): string {
  const subject = (request.socket as TLSSocket).getPeerCertificate().subject as
    Record<string, string | string[]> | undefined;
  const commonName = subject?.['CN'];
  return Array.isArray(commonName) ? commonName.join(',') : (commonName ?? '?');
}

/** Templates are stored whole in one object (a file, a ConfigMap), so one request body is capped at 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Starts the write API; resolves once it listens. */
export async function startWriteApi(options: WriteApiOptions): Promise<RunningWriteApi> {
  const { host, port } = listenAddressSchema.parse(options.address);
  const logger = options.logger ?? pino({ enabled: false });
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const store = options.store;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const started = performance.now();
    const target = request.url ?? '/';
    const parsed = parseRoute(target);
    let status = 500;
    const log = {
      method: request.method,
      route: parsed.ok ? routePattern(parsed.route) : target,
      client: clientName(request),
    };
    try {
      // Unreachable while rejectUnauthorized holds; kept so that a future change of the TLS options fails closed.
      if (!(request.socket as TLSSocket).authorized)
        throw new Refusal(401, {
          kind: 'Unauthorized',
          message: 'a client certificate signed by the configured CA is required',
        });
      if (!parsed.ok) {
        const problem = parsed.problem;
        throw problem.status === 404 ? notFound(problem.message) : invalid(problem.message, problem.field);
      }
      await serveRoute(parsed.route, request, response, store, limit, options.served);
      status = response.statusCode;
    } catch (error) {
      const fromStore = error instanceof Refusal ? undefined : storeRefusal(error);
      const refusal =
        error instanceof Refusal
          ? error
          : error instanceof BodyTooLargeError
            ? new Refusal(413, { kind: 'TooLarge', message: error.message, field: 'body' })
            : fromStore === undefined
              ? undefined
              : refused(fromStore);
      if (refusal === undefined) logger.error({ ...log, err: error }, 'write API request failed');
      const answer =
        refusal ??
        new Refusal(500, {
          kind: 'Internal',
          message: `the store failed: ${error instanceof Error ? error.message : String(error)}`,
        });
      status = answer.status;
      if (answer.status === 413) response.setHeader('connection', 'close'); // the rest of the body is not read
      if (answer.status === 405) response.setHeader('allow', 'GET, PUT, DELETE');
      if (!response.headersSent) sendJson(response, answer.status, answer.body);
      else response.destroy();
    } finally {
      const level = request.method === 'GET' ? 'debug' : 'info';
      logger[level]({ ...log, status, ms: Math.round(performance.now() - started) }, 'write API request');
    }
  };

  const server: Server = createServer(
    {
      key: options.tls.keyPem,
      cert: options.tls.certPem,
      ca: options.tls.caPem,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      maxHeaderSize: 16 * 1024,
      headersTimeout: 10_000,
      requestTimeout: 60_000,
    },
    (request, response) => void handle(request, response),
  );
  server.on('tlsClientError', (error: NodeJS.ErrnoException, socket) => {
    // Node drops a client whose certificate fails verification without an
    // alert; the socket's authorizationError is the only place the reason shows.
    const authorizationError = socket.authorizationError as Error | string | null | undefined;
    const reason = authorizationError == null ? (error.code ?? error.message) : String(authorizationError);
    logger.warn({ reason, remote: socket.remoteAddress }, 'write API refused a TLS connection');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const url = `https://${formatHostPort(host ?? bound.address, bound.port)}`;
  const actualPort = bound.port;
  logger.info({ url }, 'write API listening (mutual TLS)');

  return {
    url,
    port: actualPort,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
