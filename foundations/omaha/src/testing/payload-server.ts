// Payloads served on loopback over plain HTTP, as a release's payload URL
// names them: the client verifies what it downloads against the sha256 in the
// grant, so tests serve right and wrong bytes here.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PayloadServer {
  readonly url: (path: string) => string;
  serve(path: string, bytes: Buffer): void;
  close(): Promise<void>;
}

/** Serves what `serve` was given at each path (404 otherwise) on a free port of `host` (127.0.0.1). */
export async function startPayloadServer(host = '127.0.0.1'): Promise<PayloadServer> {
  const files = new Map<string, Buffer>();
  const server: Server = createServer((request, response) => {
    const bytes = files.get(request.url ?? '');
    if (bytes === undefined) response.writeHead(404).end();
    else response.writeHead(200, { 'content-length': bytes.length }).end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://${host}:${port}${path}`,
    serve: (path, bytes) => files.set(path, bytes),
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
