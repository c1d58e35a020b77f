// The console over HTTPS: `next start` has no TLS, so this server puts Node's TLS in front of Next.js's request
// handler. It answers its health route itself, before the session gate (probes carry no session), and refuses plain
// HTTP on its port with a 400 that says to use https:// rather than hand anything to the application.
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createRequire } from 'node:module';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { StrataError } from '@strata/api';
import { CONSOLE_HEALTH_PATH } from '@strata/assets';
import { CONSOLE_DIR } from './build.ts';

export class ConsoleServerError extends StrataError {}

/**
 * The part of Next.js's server API this front uses. Next.js is loaded by require rather than imported: its type
 * declarations augment Node's globals (`process.env.NODE_ENV` required everywhere), which must not leak into the
 * root TypeScript project this file is checked in.
 */
interface NextApp {
  prepare(): Promise<void>;
  getRequestHandler(): (request: IncomingMessage, response: ServerResponse) => Promise<void>;
  close(): Promise<void>;
}
type CreateNextApp = (options: { dev: false; dir: string; hostname: string; port: number }) => NextApp;
const createNextApp = createRequire(import.meta.url)('next') as CreateNextApp;

export interface ConsoleServerOptions {
  /** The address to listen on (127.0.0.1 for `strata up`, the pod's IP in a cluster). */
  readonly host: string;
  readonly port: number;
  /** The serving certificate (PEM, with its chain) and key. */
  readonly certFile: string;
  readonly keyFile: string;
  /** The console's directory, holding its production build (default: this package). */
  readonly dir?: string;
  /** Told of a request the application could not answer (Next.js logs its own errors too). */
  readonly onError?: (error: unknown) => void;
}

export interface RunningConsoleServer {
  /** `https://host:port`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** The first byte of every TLS connection: a handshake record. */
const TLS_HANDSHAKE_RECORD = 0x16;
/** A connection that says nothing for this long is dropped before it reaches TLS. */
const FIRST_BYTE_TIMEOUT_MS = 10_000;

function plainHttpAnswer(host: string, port: number): string {
  const body = `The Strata console is served over HTTPS only: https://${host.includes(':') ? `[${host}]` : host}:${port}/\n`;
  return [
    'HTTP/1.1 400 Bad Request',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/** Sends a connection to TLS if it starts with a handshake, answers a plain-HTTP one with 400 and closes it. */
function frontDoor(tls: HttpsServer, refusal: () => string, sockets: Set<Socket>): NetServer {
  return createNetServer((socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.setTimeout(FIRST_BYTE_TIMEOUT_MS, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      socket.setTimeout(0);
      socket.pause();
      if (first[0] !== TLS_HANDSHAKE_RECORD) {
        socket.end(refusal());
        return;
      }
      socket.unshift(first);
      tls.emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  });
}

function listen(server: NetServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new ConsoleServerError(
          error.code === 'EADDRINUSE'
            ? `the console cannot listen on ${host}:${port}: the port is taken`
            : `the console cannot listen on ${host}:${port}: ${error.message}`,
          { host, port, code: error.code },
          { cause: error },
        ),
      ),
    );
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

/** Starts Next.js's production server for the built console behind TLS on `host:port`. */
export async function startConsoleServer(options: ConsoleServerOptions): Promise<RunningConsoleServer> {
  const [cert, key] = await Promise.all([readFile(options.certFile), readFile(options.keyFile)]);
  const app = createNextApp({
    dev: false,
    dir: options.dir ?? CONSOLE_DIR,
    hostname: options.host,
    port: options.port,
  });
  const handle = app.getRequestHandler();
  await app.prepare();
  const tls = createHttpsServer({ cert, key, minVersion: 'TLSv1.2' }, (request, response) => {
    if (request.url === CONSOLE_HEALTH_PATH && (request.method === 'GET' || request.method === 'HEAD')) {
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : 'ok\n');
      return;
    }
    handle(request, response).catch((error: unknown) => {
      options.onError?.(error);
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('internal error\n');
    });
  });
  let port = options.port;
  const sockets = new Set<Socket>();
  const front = frontDoor(tls, () => plainHttpAnswer(options.host, port), sockets);
  port = await listen(front, options.host, options.port);
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `https://${host}:${port}`,
    port,
    close: async () => {
      const closed = new Promise<void>((resolve) => front.close(() => resolve()));
      // Server-Sent Events streams never end on their own: the connections go with the server.
      for (const socket of sockets) socket.destroy();
      await closed;
      await app.close();
    },
  };
}
