// The FleetLock HTTP server: validates every request at the edge (route,
// method, protocol header, size, JSON, schema) and answers anything malformed
// with the protocol's {"kind","value"} body and a 4xx, so that only a failure
// of the server itself is ever a 5xx. What a well-formed request means is the
// handler's business.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { StrataError } from '@strata/api';
import { BodyReadError, BodyTooLargeError, readBody } from '@strata/host';
import { pino, type Logger } from 'pino';
import {
  FLEETLOCK_HEADER,
  FLEETLOCK_HEADER_VALUE,
  FLEETLOCK_MAX_BODY_BYTES,
  FLEETLOCK_PATHS,
  fleetLockRequestSchema,
  type FleetLockClientParams,
  type FleetLockErrorBody,
  type FleetLockErrorKind,
} from './protocol.ts';
import { normaliseSourceAddress } from './zincati-node.ts';

export type FleetLockAnswer =
  | { readonly ok: true; readonly message: string }
  | { readonly ok: false; readonly status: number; readonly kind: FleetLockErrorKind; readonly value: string };

export type FleetLockEndpoint = 'pre-reboot' | 'steady-state';

/** Who sent a request, as the connection (never a header) says. */
export interface FleetLockCaller {
  /** The socket's remote address, IPv4-mapped IPv6 written as IPv4. */
  readonly source: string;
}

/** What the server does with well-formed requests. */
export interface FleetLockHandler {
  /** RecursiveLock. */
  preReboot(client: FleetLockClientParams, caller: FleetLockCaller): Promise<FleetLockAnswer>;
  /** UnlockIfHeld. */
  steadyState(client: FleetLockClientParams, caller: FleetLockCaller): Promise<FleetLockAnswer>;
}

export interface FleetLockServerOptions {
  readonly host: string;
  /** 0 picks a free port; read it back from `port`. */
  readonly port: number;
  readonly handler: FleetLockHandler;
  /** Serve HTTPS with this certificate and key (PEM) instead of plain HTTP. */
  readonly tls?: { readonly certPem: string; readonly keyPem: string };
  readonly logger?: Logger;
  readonly maxBodyBytes?: number;
  /** Told of every answer, for metrics: the endpoint (or 'other') and 'ok' or the error kind. */
  readonly onAnswer?: (endpoint: FleetLockEndpoint | 'other', outcome: 'ok' | FleetLockErrorKind) => void;
}

export interface RunningFleetLockServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export class FleetLockServerError extends StrataError {}

/** An answer other than success, raised while reading a request. */
class Refusal extends Error {
  readonly status: number;
  readonly kind: FleetLockErrorKind;

  constructor(status: number, kind: FleetLockErrorKind, value: string) {
    super(value);
    this.status = status;
    this.kind = kind;
  }
}

export const refuse = (status: number, kind: FleetLockErrorKind, value: string): FleetLockAnswer => ({
  ok: false,
  status,
  kind,
  value,
});

const ENDPOINTS: Readonly<Record<string, FleetLockEndpoint>> = {
  [FLEETLOCK_PATHS.preReboot]: 'pre-reboot',
  [FLEETLOCK_PATHS.steadyState]: 'steady-state',
};

function describeIssues(
  issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[],
): string {
  return issues
    .map((issue) => `${issue.path.length === 0 ? 'body' : issue.path.map(String).join('.')}: ${issue.message}`)
    .join('; ');
}

async function readClientParams(request: IncomingMessage, limit: number): Promise<FleetLockClientParams> {
  let bytes: Buffer;
  try {
    bytes = await readBody(request, { maxBytes: limit });
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new Refusal(413, 'body_too_large', error.message);
    if (error instanceof BodyReadError) throw new Refusal(400, 'bad_request', error.message);
    throw error;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Refusal(400, 'bad_request', 'the body is not valid UTF-8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Refusal(
      400,
      'bad_request',
      `the body is not JSON (${error instanceof Error ? error.message : String(error)}); send {"client_params":{"id":"…","group":"…"}}`,
    );
  }
  const parsed = fleetLockRequestSchema.safeParse(json);
  if (!parsed.success) throw new Refusal(400, 'bad_request', describeIssues(parsed.error.issues));
  return parsed.data.client_params;
}

function send(
  response: ServerResponse,
  status: number,
  body: FleetLockErrorBody | undefined,
  message?: string,
  headers: Record<string, string> = {},
): void {
  const text = body === undefined ? `${message ?? 'ok'}\n` : JSON.stringify(body);
  response.writeHead(status, {
    'content-type': body === undefined ? 'text/plain; charset=utf-8' : 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

/** Starts the server; resolves once it listens. */
export async function startFleetLockServer(options: FleetLockServerOptions): Promise<RunningFleetLockServer> {
  const logger = options.logger ?? pino({ enabled: false });
  const limit = options.maxBodyBytes ?? FLEETLOCK_MAX_BODY_BYTES;
  const { handler } = options;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = new URL(request.url ?? '/', 'http://fleetlock').pathname;
    const endpoint = ENDPOINTS[path];
    let answer: FleetLockAnswer;
    try {
      if (endpoint === undefined)
        throw new Refusal(
          404,
          'not_found',
          `no such endpoint ${JSON.stringify(path)}; FleetLock v1 has POST ${FLEETLOCK_PATHS.preReboot} and POST ${FLEETLOCK_PATHS.steadyState}`,
        );
      if (request.method !== 'POST')
        throw new Refusal(405, 'method_not_allowed', `${endpoint} takes POST, not ${request.method ?? '?'}`);
      if (request.headers[FLEETLOCK_HEADER] !== FLEETLOCK_HEADER_VALUE) {
        throw new Refusal(
          400,
          'missing_protocol_header',
          `the request needs the header "${FLEETLOCK_HEADER}: ${FLEETLOCK_HEADER_VALUE}"`,
        );
      }
      const client = await readClientParams(request, limit);
      // The peer of the TCP connection: a proxy header would be the caller's own claim.
      const remote = request.socket.remoteAddress;
      if (remote === undefined) throw new Refusal(400, 'bad_request', 'the connection closed before it was answered');
      const caller: FleetLockCaller = { source: normaliseSourceAddress(remote) };
      answer =
        endpoint === 'pre-reboot' ? await handler.preReboot(client, caller) : await handler.steadyState(client, caller);
      logger.info(
        {
          endpoint,
          id: client.id,
          group: client.group,
          source: caller.source,
          ok: answer.ok,
          kind: answer.ok ? undefined : answer.kind,
        },
        answer.ok ? answer.message : answer.value,
      );
    } catch (error) {
      if (error instanceof Refusal) {
        answer = refuse(error.status, error.kind, error.message);
        logger.info({ path, method: request.method, kind: error.kind }, error.message);
      } else {
        logger.error({ err: error, path }, 'FleetLock request failed');
        answer = refuse(500, 'internal_error', 'the server failed to handle the request; retry');
      }
    }
    options.onAnswer?.(endpoint ?? 'other', answer.ok ? 'ok' : answer.kind);
    if (answer.ok) send(response, 200, undefined, answer.message);
    else {
      const headers: Record<string, string> =
        answer.status === 405 ? { allow: 'POST' } : answer.status === 503 ? { 'retry-after': '5' } : {};
      // A refused request may not have been read to its end; do not keep its connection for the next one.
      if (!request.complete) headers['connection'] = 'close';
      send(response, answer.status, { kind: answer.kind, value: answer.value }, undefined, headers);
    }
  };

  const listener = (request: IncomingMessage, response: ServerResponse): void => {
    handle(request, response).catch((error: unknown) => {
      logger.error({ err: error }, 'FleetLock answer failed');
      if (!response.headersSent)
        send(response, 500, { kind: 'internal_error', value: 'the server failed to answer; retry' });
      else response.destroy();
    });
  };
  const server: Server =
    options.tls === undefined
      ? createHttpServer(listener)
      : createHttpsServer({ cert: options.tls.certPem, key: options.tls.keyPem }, listener);
  server.requestTimeout = 60_000;
  server.headersTimeout = 10_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        new FleetLockServerError(
          `FleetLock server cannot listen on ${options.host}:${options.port}`,
          { host: options.host, port: options.port },
          { cause: error },
        ),
      ),
    );
    server.listen(options.port, options.host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    port,
    url: `${options.tls === undefined ? 'http' : 'https'}://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
