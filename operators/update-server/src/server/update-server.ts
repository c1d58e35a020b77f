// The Omaha endpoint: POST /v1/update/ and nothing else. It never redirects
// (update_engine would turn the POST into a GET) and never compresses (it
// asks for none). Bad input gets a 4xx; only the store failing gets a 5xx.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { pino, type Logger } from 'pino';
import { BodyReadError, BodyTooLargeError, readBody } from '@strata/host';
import { OmahaRequestError, UpdateServerError } from '../errors.ts';
import { OMAHA_PATH, DEFAULT_MAX_REQUEST_BYTES, parseOmahaRequest, buildOmahaResponse } from '@strata/omaha';
import type { Catalog } from '../policy/model.ts';
import type { UpdateStore } from '../store/store.ts';
import { answerRequest } from './handle-request.ts';
import { API_PREFIX } from '../api/schemas.ts';

export interface UpdateServerTls {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface UpdateServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly store: UpdateStore;
  /** The channels and groups in force; read on every request, so a new catalog applies at once. */
  readonly catalog: () => Catalog;
  /** HTTPS when given; plain HTTP otherwise (see the README: the payload's sha256 travels in the answer). */
  readonly tls?: UpdateServerTls;
  readonly logger?: Logger;
  readonly maxRequestBytes?: number;
  readonly now?: () => Date;
  /** The JSON API (api/json-api.ts), answered under /api/v1 on the same port; without it those paths are 404. */
  readonly api?: { handle(request: IncomingMessage, response: ServerResponse): Promise<void> };
}

export interface RunningUpdateServer {
  /** The endpoint's URL, ending in /v1/update/ (update.conf's SERVER=). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

function sendText(response: ServerResponse, status: number, text: string, close = false): void {
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...(close ? { connection: 'close' } : {}),
  });
  response.end(text);
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  options: UpdateServerOptions,
  logger: Logger,
) {
  const path = (request.url ?? '').split('?')[0] ?? '';
  if (options.api !== undefined && (path === API_PREFIX || path.startsWith(`${API_PREFIX}/`)))
    return options.api.handle(request, response);
  // Both spellings answer directly: a redirect from one to the other would turn update_engine's POST into a GET.
  if (path !== OMAHA_PATH && path !== OMAHA_PATH.slice(0, -1)) return sendText(response, 404, 'not found\n');
  if (request.method !== 'POST') {
    response.setHeader('allow', 'POST');
    return sendText(response, 405, 'only POST\n');
  }
  const limit = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  let body: Buffer;
  try {
    body = await readBody(request, { maxBytes: limit });
  } catch (error) {
    if (error instanceof BodyTooLargeError) return sendText(response, 413, `${error.message}\n`, true);
    if (error instanceof BodyReadError) return sendText(response, 400, `${error.message}\n`, true);
    throw error;
  }
  let parsed;
  try {
    parsed = parseOmahaRequest(body, limit);
  } catch (error) {
    if (error instanceof OmahaRequestError) {
      logger.debug({ problem: error.problem, remote: request.socket.remoteAddress }, error.message);
      return sendText(response, error.problem === 'too-large' ? 413 : 400, `${error.message}\n`);
    }
    throw error;
  }
  const now = options.now?.() ?? new Date();
  const answers = await answerRequest(parsed, options.catalog(), options.store, now);
  for (const [index, { decision }] of answers.entries()) {
    if (decision !== undefined && decision.kind !== 'noupdate')
      logger.info(
        {
          machine: parsed.apps[index]?.machineId,
          decision: decision.kind,
          reason: decision.kind === 'hold' ? decision.reason : undefined,
        },
        'update check',
      );
  }
  const xml = buildOmahaResponse(
    now,
    answers.map(({ answer }) => answer),
  );
  response.writeHead(200, { 'content-type': 'text/xml; charset=utf-8', 'content-length': Buffer.byteLength(xml) });
  response.end(xml);
}

export async function startUpdateServer(options: UpdateServerOptions): Promise<RunningUpdateServer> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const listener = (request: IncomingMessage, response: ServerResponse) => {
    handle(request, response, options, logger).catch((error: unknown) => {
      logger.error({ err: error }, 'an update request failed');
      if (!response.headersSent)
        sendText(response, 503, 'the update server cannot answer now; check again later\n', true);
      else response.destroy();
    });
  };
  const server: Server =
    options.tls === undefined
      ? createHttpServer(listener)
      : createHttpsServer({ cert: options.tls.certPem, key: options.tls.keyPem }, listener);
  // A client that trickles its request must not hold a connection open for long.
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new UpdateServerError('the update server is not listening on a TCP port', { address });
  const port = address.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `${options.tls === undefined ? 'http' : 'https'}://${host}:${port}${OMAHA_PATH}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}
