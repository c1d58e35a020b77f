// The simulated machines' payload server: what Flatcar's release server is
// for real machines. It serves every version's simulated payload, computed
// from the version (@strata/omaha), so it needs no list of releases: whatever
// release `strata update promote` publishes, its payload is already here.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simulatedPayload, simulatedPayloadVersionOf } from '@strata/omaha';
import { PayloadServerError } from './errors.ts';

export interface SimulatedPayloadServer {
  /** The base URL: a version's payload is at `<url><version>/flatcar_production_update.gz`. */
  readonly url: string;
  close(): Promise<void>;
}

/** The path prefix, as the rendered releases name it (`localPayloadBaseUrl`). */
const PREFIX = '/flatcar';

/**
 * Listens on `host`:`port` (0 for any free port). GET and HEAD of a version's payload answer 200 with its bytes;
 * any other path 404, any other method 405. A port that cannot be bound is a PayloadServerError naming it.
 */
export async function startSimulatedPayloadServer(options: {
  readonly host: string;
  readonly port: number;
}): Promise<SimulatedPayloadServer> {
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://payloads').pathname;
    const version = path.startsWith(`${PREFIX}/`) ? simulatedPayloadVersionOf(path.slice(PREFIX.length)) : undefined;
    if (version === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end(`no simulated payload at ${path}\n`);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const { bytes } = simulatedPayload(version);
    response.writeHead(200, { 'content-type': 'application/gzip', 'content-length': bytes.length });
    response.end(request.method === 'HEAD' ? undefined : bytes);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new PayloadServerError(
          `cannot serve the simulated OS payloads on ${options.host}:${options.port}: ${error.code ?? error.message}`,
          { host: options.host, port: options.port },
          { cause: error },
        ),
      ),
    );
    server.listen({ host: options.host, port: options.port, exclusive: true }, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}${PREFIX}/`,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
