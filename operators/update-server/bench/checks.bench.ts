// `npm run bench -w operators/update-server`: update checks per second and
// latency with 100,000 known machines, SQLite and PostgreSQL side by side.
// The server runs in a child process; this process only generates load over
// keep-alive HTTP. Not a test: the figures go in the README.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openPostgresStore } from '../src/store/postgres-store.ts';
import { openSqliteStore } from '../src/store/sqlite-store.ts';
import { anOmahaRequest } from '../src/testing/builders.ts';
import { postOmaha } from '../src/testing/omaha-client.ts';
import { startTestPostgres } from '../src/testing/postgres.ts';
import { NEW_VERSION, OLD_VERSION } from './catalog.ts';
import { machineId, OLD_EVERY, seedPostgres, seedSqlite } from './seed.ts';

const MACHINES = Number(process.env['BENCH_MACHINES'] ?? 100_000);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 15);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 32);
/** `BENCH_STORES=postgres` (or `sqlite`) runs one store only, e.g. while profiling it. */
const STORES = (process.env['BENCH_STORES'] ?? 'sqlite,postgres').split(',');
/** `BENCH_PG_STATS=1`: PostgreSQL with pg_stat_statements, and its statements per check after the run. */
const PG_STATS = process.env['BENCH_PG_STATS'] === '1';
/** The server's pool size (bench/serve.ts reads the same variable). */
const PG_CONNECTIONS = Number(process.env['BENCH_PG_CONNECTIONS'] ?? 16);
const log = (line: string) => process.stdout.write(`${line}\n`);

interface Result {
  readonly backend: string;
  readonly checks: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  /** The server process's CPU time per check (user + system), in microseconds; PostgreSQL's own is not in it. */
  readonly cpuPerCheck: number;
}

function serverCpu(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (message: { cpu: NodeJS.CpuUsage }) => resolve(message.cpu.user + message.cpu.system));
    child.send('usage');
  });
}

function startServer(kind: 'sqlite' | 'postgres', location: string): Promise<{ child: ChildProcess; url: string }> {
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each server process there, to see where a check's time goes.
  const profile = process.env['BENCH_CPU_PROF'];
  const child = fork(new URL('serve.ts', import.meta.url), [kind, location], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    ...(profile === undefined ? {} : { execArgv: [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${profile}`] }),
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}`)));
    child.once('message', (message: { url: string }) => resolve({ child, url: message.url }));
  });
}

async function load(
  backend: string,
  url: string,
  child: ChildProcess,
  afterWarmup: () => Promise<void> = () => Promise.resolve(),
): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  // Each machine keeps its version; the old ones move to the new one once granted, as after a reboot.
  const upgraded = new Set<number>();
  const request = (index: number) => {
    const old = index % OLD_EVERY === 0 && !upgraded.has(index);
    if (old) upgraded.add(index);
    return anOmahaRequest({ machineId: machineId(index), version: old ? OLD_VERSION : NEW_VERSION });
  };
  const worker = async (deadline: number, record: boolean) => {
    while (performance.now() < deadline) {
      const index = (next++ * 7919) % MACHINES;
      const started = performance.now();
      const answer = await postOmaha(url, request(index), { agent });
      if (answer.status !== 200) errors++;
      if (record) latencies.push(performance.now() - started);
    }
  };
  const warmup = performance.now() + 2000;
  await Promise.all(Array.from({ length: CONCURRENCY }, () => worker(warmup, false)));
  await afterWarmup();
  const cpuBefore = await serverCpu(child);
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, () => worker(started + SECONDS * 1000, true)));
  const elapsed = (performance.now() - started) / 1000;
  const cpu = (await serverCpu(child)) - cpuBefore;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (fraction: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * fraction))] ?? 0;
  return {
    backend,
    checks: latencies.length,
    perSecond: latencies.length / elapsed,
    p50: at(0.5),
    p99: at(0.99),
    errors,
    cpuPerCheck: cpu / latencies.length,
  };
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.disconnect();
  await exited;
}

const results: Result[] = [];
log(`machines ${MACHINES}, ${SECONDS}s per backend after 2s warm-up, ${CONCURRENCY} concurrent clients`);
log(
  `host: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, load average before: ${loadavg()
    .map((value) => value.toFixed(1))
    .join(' ')}`,
);

async function benchSqlite(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-update-bench-'));
  try {
    const path = join(dir, 'updates.db');
    await openSqliteStore({ path }).close();
    seedSqlite(path, MACHINES, Date.now());
    const sqlite = await startServer('sqlite', path);
    results.push(await load('SQLite (node:sqlite, WAL)', sqlite.url, sqlite.child));
    await stopServer(sqlite.child);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What PostgreSQL ran during the measured window: statements per check, and where its time went. */
async function printStatementStats(connectionString: string, checks: number): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const { rows } = await client.query<{ query: string; calls: string; mean_ms: number; total_ms: number }>(
      `SELECT query, calls, mean_exec_time AS mean_ms, total_exec_time AS total_ms FROM pg_stat_statements
       WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY total_exec_time DESC`,
    );
    const calls = rows.reduce((sum, row) => sum + Number(row.calls), 0);
    log(`PostgreSQL statements per check: ${(calls / checks).toFixed(2)} (${calls} for ${checks} checks)`);
    log('| calls per check | mean ms | total ms | statement |');
    log('|---:|---:|---:|---|');
    for (const row of rows.slice(0, 12))
      log(
        `| ${(Number(row.calls) / checks).toFixed(3)} | ${row.mean_ms.toFixed(3)} | ${row.total_ms.toFixed(0)} | ${row.query.replace(/\s+/g, ' ').slice(0, 140)} |`,
      );
  } finally {
    await client.end();
  }
}

async function benchPostgres(): Promise<void> {
  const postgres = await startTestPostgres(
    PG_STATS ? { settings: { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all' } } : {},
  );
  try {
    if (PG_STATS) {
      const client = new pg.Client({ connectionString: postgres.connectionString });
      await client.connect();
      await client.query('CREATE EXTENSION pg_stat_statements');
      await client.end();
    }
    await (
      await openPostgresStore({
        connectionString: postgres.connectionString,
        onConnectionError: (error) => log(`a database connection failed: ${error.message}`),
      })
    ).close();
    await seedPostgres(postgres.connectionString, MACHINES, Date.now());
    const server = await startServer('postgres', postgres.connectionString);
    const resetStats = async () => {
      if (!PG_STATS) return;
      const client = new pg.Client({ connectionString: postgres.connectionString });
      await client.connect();
      await client.query('SELECT pg_stat_statements_reset()');
      await client.end();
    };
    const result = await load(
      `PostgreSQL 15 (pg, ${PG_CONNECTIONS} connections)`,
      server.url,
      server.child,
      resetStats,
    );
    results.push(result);
    await stopServer(server.child);
    if (PG_STATS) await printStatementStats(postgres.connectionString, result.checks);
  } finally {
    await postgres.stop();
  }
}

if (STORES.includes('sqlite')) await benchSqlite();
if (STORES.includes('postgres')) await benchPostgres();

log(
  `load average after: ${loadavg()
    .map((value) => value.toFixed(1))
    .join(' ')}`,
);
log('| store | checks | checks/s | p50 ms | p99 ms | non-200 | server CPU µs/check | checks per server CPU-second |');
log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const result of results)
  log(
    `| ${result.backend} | ${result.checks} | ${result.perSecond.toFixed(0)} | ${result.p50.toFixed(1)} | ${result.p99.toFixed(1)} | ${result.errors} | ${result.cpuPerCheck.toFixed(0)} | ${(1e6 / result.cpuPerCheck).toFixed(0)} |`,
  );
