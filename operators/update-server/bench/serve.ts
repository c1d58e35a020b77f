// The update server in a process of its own for the benchmark, so the load
// generator does not share its event loop. Reports its URL over IPC and stops
// when the parent disconnects.
import { parseCatalog } from '../src/policy/model.ts';
import { startUpdateServer } from '../src/server/update-server.ts';
import { openPostgresStore } from '../src/store/postgres-store.ts';
import { openSqliteStore } from '../src/store/sqlite-store.ts';
import { benchCatalog } from './catalog.ts';

const [kind, location] = process.argv.slice(2);
if (location === undefined || (kind !== 'sqlite' && kind !== 'postgres'))
  throw new Error('usage: serve.ts sqlite|postgres <path|connection string>');
const store =
  kind === 'sqlite'
    ? openSqliteStore({ path: location })
    : await openPostgresStore({
        connectionString: location,
        maxConnections: Number(process.env['BENCH_PG_CONNECTIONS'] ?? 16),
        onConnectionError: (error) => process.stderr.write(`a database connection failed: ${error.message}\n`),
      });
const catalog = parseCatalog(benchCatalog);
const server = await startUpdateServer({ host: '127.0.0.1', port: 0, store, catalog: () => catalog });
process.send?.({ url: server.url });
// The parent asks for this process's CPU time around its measured window: a figure the machine's load does not skew.
process.on('message', () => process.send?.({ cpu: process.cpuUsage() }));
process.once('disconnect', () => {
  void server.close().then(() => store.close());
});
