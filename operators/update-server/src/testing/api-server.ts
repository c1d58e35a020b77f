// One replica's worth of update server for other packages' integration tests:
// the control side (catalog, status, Lease) on a test API server, the JSON API
// and the Omaha endpoint over HTTPS with a throwaway CA, SQLite underneath.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import type { ChangeFeed } from '../api/change-feed.ts';
import { createJsonApi, type JsonApiOptions } from '../api/json-api.ts';
import type { Catalog } from '../policy/model.ts';
import { startUpdateServerController } from '../controller/run-controller.ts';
import { startUpdateServer } from '../server/update-server.ts';
import { openSqliteStore } from '../store/sqlite-store.ts';
import type { UpdateStore } from '../store/store.ts';
import { aServingCertificate } from './serving-certificate.ts';

export interface ApiUpdateServerOptions {
  /** The server's own credentials (it needs system:auth-delegator and patch on the groups and channels). */
  readonly kubeConfig: KubeConfig;
  /** Names this replica and its Lease, so tests sharing an API server do not meet. */
  readonly name: string;
  readonly leaseNamespace: string;
  /** How often the groups' status is recounted; the controller's default when absent. */
  readonly statusResyncMs?: number;
  /** The change feed's limits and intervals. */
  readonly feed?: JsonApiOptions['feed'];
}

export interface ApiUpdateServer {
  /** The Omaha endpoint (POST /v1/update/). */
  readonly omahaUrl: string;
  /** The base URL: the JSON API is under /api/v1. */
  readonly baseUrl: string;
  /** The CA of its serving certificate. */
  readonly caPem: string;
  readonly store: UpdateStore;
  /** The JSON API's change feed (GET /api/v1/watch): tests count its watchers. */
  readonly feed: ChangeFeed;
  catalog(): Catalog;
  close(): Promise<void>;
}

export async function startApiUpdateServer(options: ApiUpdateServerOptions): Promise<ApiUpdateServer> {
  const directory = await mkdtemp(join(tmpdir(), 'update-server-'));
  const store = openSqliteStore({ path: join(directory, 'updates.db') });
  const stop = new AbortController();
  const running = await startUpdateServerController({
    kubeConfig: options.kubeConfig,
    store,
    identity: `${options.name}-replica`,
    leaseNamespace: options.leaseNamespace,
    leaseName: `${options.name}-lease`,
    signal: stop.signal,
    leaseDurationSeconds: 3,
    renewDeadlineMs: 2000,
    retryPeriodMs: 250,
    ...(options.statusResyncMs === undefined ? {} : { statusResyncMs: options.statusResyncMs }),
  });
  const serving = await aServingCertificate();
  const api = createJsonApi({
    kubeConfig: options.kubeConfig,
    controller: running.controller,
    store,
    identity: `${options.name}-replica`,
    logger: pino({ enabled: false }),
    ...(options.feed === undefined ? {} : { feed: options.feed }),
  });
  const server = await startUpdateServer({
    host: '127.0.0.1',
    port: 0,
    store,
    catalog: () => running.catalog(),
    api,
    tls: { certPem: serving.certPem, keyPem: serving.keyPem },
  });
  return {
    omahaUrl: server.url,
    baseUrl: new URL(server.url).origin,
    caPem: serving.caPem,
    store,
    feed: api.feed,
    catalog: () => running.catalog(),
    close: async () => {
      api.close();
      stop.abort();
      await running.stopped;
      await server.close();
      await store.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
