// A boot server on a free loopback port over a temporary data directory.
import { silentLogger, type BootLogger } from '../logging.ts';
import { startBootServer, type BootServer, type BootServerLimits } from '../server/boot-server.ts';
import type { ServedMachines } from '../server/served-machines.ts';
import { DataDirectoryStore } from '../store/directory-store.ts';
import type { ButaneTranslator } from '../answers/butane.ts';
import { temporaryDataDir, type DataDirContents } from './data-dir.ts';

export interface TestBootServer {
  readonly url: string;
  readonly dataPath: string;
  readonly store: DataDirectoryStore;
  readonly server: BootServer;
  /** GET (or HEAD) a path on the server; the body as text. */
  get(path: string, init?: RequestInit): Promise<{ status: number; body: string; headers: Headers }>;
  close(): Promise<void>;
}

export interface TestBootServerOptions {
  readonly contents?: DataDirContents;
  readonly assetsPath?: string;
  readonly listAssetDirectories?: boolean;
  readonly butane?: ButaneTranslator;
  readonly logger?: BootLogger;
  readonly limits?: Partial<BootServerLimits>;
  /** Debounce of the store's watcher; short by default so tests notice changes fast. */
  readonly debounceMs?: number;
  /** Where the server records what it served to each MAC. */
  readonly served?: ServedMachines;
}

export async function startTestBootServer(options: TestBootServerOptions = {}): Promise<TestBootServer> {
  const logger = options.logger ?? silentLogger();
  const data = await temporaryDataDir(options.contents);
  const store = await DataDirectoryStore.open({ dataPath: data.path, logger, debounceMs: options.debounceMs ?? 20 });
  const server = await startBootServer({
    address: '127.0.0.1:0',
    store,
    assetsPath: options.assetsPath,
    listAssetDirectories: options.listAssetDirectories,
    butane: options.butane,
    logger,
    limits: options.limits,
    ...(options.served === undefined ? {} : { served: options.served }),
  });
  return {
    url: server.url,
    dataPath: data.path,
    store,
    server,
    get: async (path, init) => {
      const response = await fetch(`${server.url}${path}`, init);
      return { status: response.status, body: await response.text(), headers: response.headers };
    },
    close: async () => {
      await server.close();
      await store.close();
      await data.remove();
    },
  };
}
