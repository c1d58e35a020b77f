// The read side over HTTP (node:http): matchbox's endpoints, GET and HEAD
// only, with limits on the request line, headers and time, and one
// SnapshotView per store snapshot so that matching and template parsing are
// paid once per change rather than once per request.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { resolve } from 'node:path';
import { createBootLogger, type BootLogger } from '../logging.ts';
import { rawPathOf, rawQueryOf } from '../labels/query.ts';
import type { BootSnapshot, BootStore } from '../store/store.ts';
import { plainError, responseHeaders, type Answer } from './answer.ts';
import { parseListenAddress, urlOf } from './address.ts';
import { ASSETS_PREFIX, serveAsset } from './assets.ts';
import { goEscapePath, goMuxCleanPath, goRedirect } from './go-http.ts';
import type { ButaneTranslator } from '../answers/butane.ts';
import { answerBootRequest } from './boot-answers.ts';
import type { ServedMachines } from './served-machines.ts';
import { SnapshotView } from './snapshot-view.ts';

export interface BootServerLimits {
  /** Longest request target (path and query) accepted; longer answers 414. */
  readonly maxUrlLength: number;
  /** Largest request head (request line and headers) accepted; larger answers 431. */
  readonly maxHeaderSize: number;
  /** Time allowed to receive the request head. */
  readonly headersTimeoutMs: number;
  /** Time allowed for a whole request. */
  readonly requestTimeoutMs: number;
  /** Idle time before a kept-alive connection is closed. */
  readonly keepAliveTimeoutMs: number;
}

export const DEFAULT_BOOT_SERVER_LIMITS: BootServerLimits = {
  maxUrlLength: 4096,
  maxHeaderSize: 8192,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
};

export interface BootServerOptions {
  /** host:port as matchbox's --address takes it; port 0 picks a free port. */
  readonly address: string;
  readonly store: BootStore;
  /** Directory served under /assets/; undefined or "" disables /assets/. */
  readonly assetsPath?: string;
  /** List an assets directory that has no index.html, as Go's file server does; default false (404). */
  readonly listAssetDirectories?: boolean;
  /** Translates Ignition templates from Butane, as matchbox does; without it, the rendered text is served. */
  readonly butane?: ButaneTranslator;
  readonly logger?: BootLogger;
  readonly limits?: Partial<BootServerLimits>;
  /** Told of every 200 answer, to remember what each MAC was served (the write API lists it). */
  readonly served?: ServedMachines;
}

export interface BootServer {
  /** http://host:port of the bound socket. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startBootServer(options: BootServerOptions): Promise<BootServer> {
  const logger = options.logger ?? createBootLogger();
  const limits = { ...DEFAULT_BOOT_SERVER_LIMITS, ...options.limits };
  const assetsRoot =
    options.assetsPath === undefined || options.assetsPath === '' ? undefined : resolve(options.assetsPath);
  const listen = parseListenAddress(options.address);
  const views = new ViewCache(options.store);
  const served = options.served;
  const unsubscribe = options.store.onChange((snapshot) => views.prepare(snapshot));

  /** A request whose answer is not kept: parsed, checked and answered, and its 200 answer kept. */
  const answerAfresh = (request: IncomingMessage, response: ServerResponse, target: string): void => {
    try {
      if (request.method !== 'GET' && request.method !== 'HEAD')
        return write(response, plainError(405, 'Method Not Allowed'));
      if (target.length > limits.maxUrlLength) return write(response, plainError(414, 'URI Too Long'));
      if (!target.startsWith('/')) return write(response, plainError(400, 'Bad Request'));
      const path = decodePath(rawPathOf(target));
      if (path === undefined) return write(response, plainError(400, 'Bad Request: malformed path'));
      if (assetsRoot !== undefined && (path === '/assets' || path.startsWith(ASSETS_PREFIX))) {
        // As Go's mux: "/assets" and an unclean path are redirected to the clean one, the query kept.
        const rawQuery = rawQueryOf(target);
        const clean = path === '/assets' ? ASSETS_PREFIX : goMuxCleanPath(path);
        if (clean !== path)
          return write(
            response,
            goRedirect(`${goEscapePath(clean)}${rawQuery === '' ? '' : `?${rawQuery}`}`, request.method),
          );
        const asset = {
          root: assetsRoot,
          decodedPath: path.slice(ASSETS_PREFIX.length - 1),
          rawQuery,
          listDirectories: options.listAssetDirectories ?? false,
        };
        serveAsset(request, response, asset, logger, (answer) => write(response, answer));
        return;
      }
      const rawQuery = rawQueryOf(target);
      const view = views.current();
      const answered = (answer: Answer): void => {
        if (answer.status !== 200) return write(response, answer);
        const record = served?.recordFor(path, rawQuery);
        view.answers.remember(target, answer, record);
        write(response, answer);
        if (record !== undefined) served?.answeredTo(record.field, record.generation, record.mac);
      };
      const answer = answerBootRequest(view, path, rawQuery, logger, options.butane);
      if (!(answer instanceof Promise)) return answered(answer);
      answer.then(answered, (error: unknown) => {
        logger.error({ err: error, path: rawPathOf(target) }, 'request failed');
        write(response, plainError(500, 'Internal Server Error'));
      });
    } catch (error) {
      logger.error({ err: error, path: rawPathOf(target) }, 'request failed');
      write(response, plainError(500, 'Internal Server Error'));
    }
  };

  // The hot path: a repeated request is one look-up of its target as sent, its kept headers and body written, and
  // its served-machines slot written; no closure, no parsing, no object made by Strata (ADR 0074).
  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    if (logger.isLevelEnabled('debug')) logWhenFinished(request, response, logger);
    const target = request.url ?? '/';
    const method = request.method;
    if (method === 'GET' || method === 'HEAD') {
      const known = views.current().answers.get(target);
      if (known !== undefined) {
        response.writeHead(200, known.headers);
        response.end(known.body);
        if (known.servedField >= 0) served?.answeredTo(known.servedField, known.servedGeneration, known.servedMac);
        return;
      }
    }
    answerAfresh(request, response, target);
  };

  const server = createServer(
    {
      maxHeaderSize: limits.maxHeaderSize,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
    },
    handle,
  );
  server.maxHeadersCount = 100;
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    logger.debug({ code: error.code }, 'malformed request');
    // Answer unless a response is still being written on this connection (pipelining), which an answer would corrupt.
    // Node's default handler also stays silent on a kept-alive connection that already carried a response.
    const inFlight = (socket as Socket & { _httpMessage?: unknown })._httpMessage;
    if (!socket.writable || (inFlight !== null && inFlight !== undefined)) {
      socket.destroy();
      return;
    }
    const status =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? '431 Request Header Fields Too Large'
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? '408 Request Timeout'
          : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  const bound = server.address() as AddressInfo;
  const url = urlOf(listen.host === undefined ? 'localhost' : bound.address, bound.port);
  logger.info({ url, assets: assetsRoot ?? null }, 'boot server listening');

  return {
    url,
    close: () =>
      new Promise<void>((resolvePromise, reject) => {
        unsubscribe();
        views.close();
        server.close((error) => (error === undefined ? resolvePromise() : reject(error)));
        server.closeAllConnections();
      }),
  };
}

/** Writes an answer unless one was written already (a late failure after a 200). */
function write(response: ServerResponse, answer: Answer): void {
  if (response.headersSent) return;
  response.writeHead(answer.status, responseHeaders(answer));
  response.end(answer.body);
}

/** The per-request debug line, written when the response is finished. */
function logWhenFinished(request: IncomingMessage, response: ServerResponse, logger: BootLogger): void {
  const started = performance.now();
  response.once('finish', () => {
    logger.debug(
      {
        method: request.method,
        path: rawPathOf(request.url ?? ''),
        status: response.statusCode,
        ms: Math.round((performance.now() - started) * 10) / 10,
      },
      'request',
    );
  });
}

/** The view of the store's current snapshot, rebuilt when the snapshot changes. */
class ViewCache {
  readonly #store: BootStore;
  #view: SnapshotView | undefined;

  constructor(store: BootStore) {
    this.#store = store;
  }

  current(): SnapshotView {
    return this.prepare(this.#store.snapshot());
  }

  close(): void {
    this.#view?.answers.close();
  }

  prepare(snapshot: BootSnapshot): SnapshotView {
    if (this.#view?.snapshot !== snapshot) {
      this.#view?.answers.close();
      this.#view = new SnapshotView(snapshot);
    }
    return this.#view;
  }
}

/** The path with %-escapes decoded, as Go's URL.Path; undefined for a malformed escape. */
function decodePath(rawPath: string): string | undefined {
  if (!rawPath.includes('%')) return rawPath;
  try {
    return decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
}
