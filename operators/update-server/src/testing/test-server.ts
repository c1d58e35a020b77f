// A running update server over a chosen store, for tests and the benchmark.
import { parseCatalog, type CatalogInput } from '../policy/model.ts';
import { startUpdateServer, type RunningUpdateServer, type UpdateServerTls } from '../server/update-server.ts';
import type { UpdateStore } from '../store/store.ts';

export interface TestUpdateServer extends RunningUpdateServer {
  readonly store: UpdateStore;
  /** Replaces the catalog in force, as a changed UpdateGroup would. */
  setCatalog(input: CatalogInput): void;
  /** Moves the server's clock. */
  setNow(now: Date): void;
}

export interface TestUpdateServerOptions {
  readonly store: UpdateStore;
  readonly catalog: CatalogInput;
  readonly now?: Date;
  readonly tls?: UpdateServerTls;
  /** The address to listen on; 127.0.0.1 unless given (the machine lab's host end, for machines that check in). */
  readonly host?: string;
  /** The port; any free one unless given (the port a rendered update.conf names, for machines configured by a render). */
  readonly port?: number;
}

export async function startTestUpdateServer(options: TestUpdateServerOptions): Promise<TestUpdateServer> {
  let catalog = parseCatalog(options.catalog);
  let now = options.now;
  const server = await startUpdateServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    store: options.store,
    catalog: () => catalog,
    now: () => now ?? new Date(),
    ...(options.tls === undefined ? {} : { tls: options.tls }),
  });
  return {
    ...server,
    store: options.store,
    setCatalog: (input) => (catalog = parseCatalog(input)),
    setNow: (value) => (now = value),
  };
}
