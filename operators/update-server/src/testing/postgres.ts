// A private PostgreSQL for tests and the benchmark: its own cluster in a
// temporary directory, listening on 127.0.0.1 at a free port, trust auth,
// fsync off. It uses Debian's `postgresql` package; without it, it fails and
// says how to get it.
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StrataError } from '@strata/api';
import { freePort, runCommand } from '@strata/host';

export class PostgresUnavailableError extends StrataError {}

export interface TestPostgres {
  readonly connectionString: string;
  stop(): Promise<void>;
}

const POSTGRES_USER = 'postgres';

/** PostgreSQL refuses to run as root; as root, the cluster belongs to Debian's `postgres` user. */
async function asServerUser(command: string, args: readonly string[]): Promise<string> {
  const root = process.getuid?.() === 0;
  let result;
  try {
    result = root
      ? await runCommand('runuser', ['-u', POSTGRES_USER, '--', command, ...args])
      : await runCommand(command, args);
  } catch (error) {
    throw new PostgresUnavailableError(
      `${command} cannot run: install PostgreSQL (apt-get install -y postgresql) and put its bin directory on PATH`,
      { command },
      { cause: error },
    );
  }
  if (result.code !== 0)
    throw new PostgresUnavailableError(`${command} ${args.join(' ')} failed: ${result.stderr.trim()}`, {
      command,
      code: result.code,
    });
  return result.stdout;
}

async function postgresBinDir(): Promise<string> {
  const result = await runCommand('pg_config', ['--bindir']).catch((error: unknown) => {
    throw new PostgresUnavailableError(
      'PostgreSQL is not installed: apt-get update && apt-get install -y postgresql',
      {},
      { cause: error },
    );
  });
  if (result.code !== 0) throw new PostgresUnavailableError(`pg_config failed: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

export interface TestPostgresOptions {
  /** Server settings added to the defaults (`-c name=value`), e.g. `shared_preload_libraries` for a profile. */
  readonly settings?: Readonly<Record<string, string>>;
}

export async function startTestPostgres(options: TestPostgresOptions = {}): Promise<TestPostgres> {
  const bin = await postgresBinDir();
  const dir = await mkdtemp(join(tmpdir(), 'strata-pg-'));
  if (process.getuid?.() === 0) {
    const owner = await runCommand('id', ['-u', POSTGRES_USER]);
    const group = await runCommand('id', ['-g', POSTGRES_USER]);
    if (owner.code !== 0)
      throw new PostgresUnavailableError(
        `running as root needs the ${POSTGRES_USER} user that Debian's package creates`,
      );
    await chown(dir, Number(owner.stdout), Number(group.stdout));
  }
  const data = join(dir, 'data');
  await asServerUser(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'strata', '--no-sync', '-E', 'UTF8']);
  const extraSettings = Object.entries(options.settings ?? {})
    .map(([name, value]) => ` -c ${name}=${value}`)
    .join('');
  // The free port is free when asked, not necessarily when PostgreSQL binds it: another test may take it in between.
  let port: number;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50${extraSettings}`;
    try {
      await asServerUser(join(bin, 'pg_ctl'), ['-D', data, '-o', serverOptions, '-l', join(dir, 'log'), '-w', 'start']);
      break;
    } catch (error) {
      const log = await readFile(join(dir, 'log'), 'utf8').catch(() => '');
      if (attempt >= 3 || !/already in use|could not bind/i.test(log)) throw error;
    }
  }
  return {
    connectionString: `postgres://strata@127.0.0.1:${port}/postgres`,
    async stop() {
      // Smart: wait for the clients' own goodbyes rather than end their connections under them (which pg reports as
      // errors on connections its pool is closing); fast only if a client never leaves.
      await asServerUser(join(bin, 'pg_ctl'), ['-D', data, '-m', 'smart', '-t', '20', '-w', 'stop']).catch(() =>
        asServerUser(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']),
      );
      await rm(dir, { recursive: true, force: true });
    },
  };
}
