// Payloads served on loopback over plain HTTP, as a release's payload URL
// names them: the client verifies what it downloads against the sha256 in the
// grant, so tests serve right and wrong bytes here.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';

export interface PayloadServer {
  readonly url: (path: string) => string;
  serve(path: string, bytes: Buffer): void;
  /** Serves a file's bytes as they are when asked (a payload too large to hold in memory, a node image's /usr). */
  serveFile(path: string, file: string): void;
  close(): Promise<void>;
}

/** Serves what `serve` was given at each path (404 otherwise) on a free port of `host` (127.0.0.1). */
export async function startPayloadServer(host = '127.0.0.1'): Promise<PayloadServer> {
  const files = new Map<string, Buffer | string>();
  const server: Server = createServer((request, response) => {
    const content = files.get(request.url ?? '');
    if (content === undefined) response.writeHead(404).end();
    else if (typeof content !== 'string') response.writeHead(200, { 'content-length': content.length }).end(content);
    else
      stat(content)
        .then(async ({ size }) => {
          response.writeHead(200, { 'content-length': size });
          await pipeline(createReadStream(content), response);
        })
        // A client that goes away mid-transfer ends the pipeline; the server stays up for the next.
        .catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://${host}:${port}${path}`,
    serve: (path, bytes) => files.set(path, bytes),
    serveFile: (path, file) => files.set(path, file),
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
