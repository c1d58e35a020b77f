// One update server replica: the store, the control side (catalog and, when
// leading, status), the JSON API and the Omaha endpoint on one port, and the
// history retention. Stops cleanly when `signal` aborts.
import { readFile } from 'node:fs/promises';
import { loadKubeConfig, podServiceAccountDir } from '@strata/kube';
import type { Logger } from 'pino';
import { createJsonApi } from '../api/json-api.ts';
import { startUpdateServerController } from '../controller/run-controller.ts';
import { startUpdateServer } from '../server/update-server.ts';
import { openPostgresStore } from '../store/postgres-store.ts';
import { startHistoryRetention } from '../store/retention.ts';
import { openSqliteStore } from '../store/sqlite-store.ts';
import type { UpdateStore } from '../store/store.ts';
import { chooseStore, type RunFlags } from './flags.ts';

const RETENTION_INTERVAL_MS = 3600_000;

export interface RunUpdateServerOptions {
  readonly flags: RunFlags;
  readonly environment: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  readonly signal: AbortSignal;
}

async function openStore(options: RunUpdateServerOptions): Promise<UpdateStore> {
  const choice = chooseStore(options.flags, options.environment);
  options.logger.info({ store: choice.kind }, 'opening the store');
  return choice.kind === 'sqlite'
    ? openSqliteStore({ path: choice.path })
    : openPostgresStore({
        connectionString: choice.connectionString,
        onConnectionError: (error) => options.logger.warn({ err: error }, 'a PostgreSQL connection failed'),
      });
}

/** Runs until `signal` aborts; resolves once everything has stopped. */
export async function runUpdateServer(options: RunUpdateServerOptions): Promise<void> {
  const { flags, logger, signal } = options;
  const kubeConfig = loadKubeConfig(
    flags.kubeconfig === undefined
      ? { serviceAccountDir: podServiceAccountDir() }
      : { kubeconfigPath: flags.kubeconfig },
  );
  const tls =
    flags.tlsCertFile === undefined || flags.tlsKeyFile === undefined
      ? undefined
      : { certPem: await readFile(flags.tlsCertFile, 'utf8'), keyPem: await readFile(flags.tlsKeyFile, 'utf8') };
  const store = await openStore(options);
  try {
    const control = await startUpdateServerController({
      kubeConfig,
      store,
      identity: flags.identity,
      leaseNamespace: flags.leaseNamespace,
      signal,
      logger: logger.child({ component: 'controller' }),
    });
    const api = createJsonApi({
      kubeConfig,
      controller: control.controller,
      store,
      identity: flags.identity,
      logger: logger.child({ component: 'api' }),
    });
    const server = await startUpdateServer({
      host: flags.host,
      port: flags.port,
      store,
      catalog: () => control.catalog(),
      api,
      logger: logger.child({ component: 'omaha' }),
      ...(tls === undefined ? {} : { tls }),
    });
    logger.info({ url: server.url }, 'serving');
    const retention = startHistoryRetention({
      store,
      retentionSeconds: flags.historyRetentionSeconds,
      intervalMs: RETENTION_INTERVAL_MS,
      onPruned: (removed) => logger.info({ removed }, 'pruned history'),
      onError: (error) => logger.error({ err: error }, 'pruning history failed'),
    });
    await control.stopped;
    retention.stop();
    api.close();
    await server.close();
  } finally {
    await store.close();
  }
}
