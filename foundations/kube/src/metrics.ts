import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { StrataError } from '@strata/api';
import type { Health, ProbeAnswer } from './health.ts';

export interface MetricsServerOptions {
  readonly host: string;
  /** 0 picks a free port; read it back from `port`. */
  readonly port: number;
  readonly registry: Registry;
  readonly health: Health;
}

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

export class MetricsServerError extends StrataError {}

/** Serves /metrics (Prometheus text), /healthz and /readyz for one operator replica. */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { registry, health } = options;
  const answer = async (path: string): Promise<ProbeAnswer & { readonly contentType: string }> => {
    const text = 'text/plain; charset=utf-8';
    switch (path) {
      case '/metrics':
        return { status: 200, body: await registry.metrics(), contentType: registry.contentType };
      case '/healthz':
        return { ...health.healthz(), contentType: text };
      case '/readyz':
        return { ...health.readyz(), contentType: text };
      default:
        return { status: 404, body: 'not found\n', contentType: text };
    }
  };

  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    answer(path).then(
      ({ status, body, contentType }) => response.writeHead(status, { 'content-type': contentType }).end(body),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        new MetricsServerError(
          `cannot listen on ${options.host}:${options.port}`,
          { host: options.host, port: options.port },
          { cause: error },
        ),
      ),
    );
    server.listen(options.port, options.host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Scrapers keep connections alive; closing only the listener would wait for them.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
