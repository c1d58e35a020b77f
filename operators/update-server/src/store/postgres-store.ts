// PostgreSQL, for several replicas. A check that may grant takes a
// transaction-scoped advisory lock on its group's track, so replicas count
// and grant one at a time per group and never exceed a limit together. The
// lock is held for two round trips (ADR 0056): the client pipelines.
import pg from 'pg';
import { KeyedSerialQueue } from '@strata/host';
import { UpdateStoreError } from '../errors.ts';
import { POSTGRES_SCHEMA } from './schema.ts';
import {
  SqlUpdateStore,
  type SqlConnection,
  type SqlQueries,
  type SqlValue,
  type TransactionQueries,
} from './sql-store.ts';
import type { UpdateStore } from './store.ts';

export interface PostgresStoreOptions {
  /** A libpq connection string (postgres://user@host:port/db); it may carry a password, so it is never logged. */
  readonly connectionString: string;
  readonly maxConnections?: number;
  /**
   * A connection the pool held idle failed (the database restarted, or an administrator ended it). The pool drops it
   * and opens another when one is needed; without a listener such an error would end the process.
   */
  readonly onConnectionError: (error: Error) => void;
}

const LOCK = 'SELECT pg_advisory_xact_lock(hashtext(?))';

/** Numbers `?` placeholders as PostgreSQL's `$1, $2, …`. The store's queries hold no literal `?`. */
const numbered = (sql: string) => {
  let index = 0;
  return sql.replace(/\?/g, () => `$${++index}`);
};

/** Named, so each connection prepares a query once and then only binds and runs it. */
const statements = new Map<string, pg.QueryConfig>();
function statement(sql: string, params: readonly SqlValue[]): pg.QueryConfig {
  let config = statements.get(sql);
  if (config === undefined) {
    config = { name: `strata-${statements.size}`, text: numbered(sql) };
    statements.set(sql, config);
  }
  return { ...config, values: [...params] };
}

const queriesOf = (client: pg.Pool | pg.PoolClient): SqlQueries => ({
  async all(sql, params: readonly SqlValue[] = []) {
    return (await client.query<Record<string, unknown>>(statement(sql, params))).rows;
  },
  async run(sql, params: readonly SqlValue[] = []) {
    return (await client.query(statement(sql, params))).rowCount ?? 0;
  },
});

class PostgresConnection implements SqlConnection {
  readonly #pool: pg.Pool;
  readonly #queries: SqlQueries;
  readonly #groups = new KeyedSerialQueue();

  constructor(pool: pg.Pool) {
    this.#pool = pool;
    this.#queries = queriesOf(pool);
  }

  all(sql: string, params?: readonly SqlValue[]): Promise<readonly unknown[]> {
    return this.#queries.all(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.#queries.run(sql, params);
  }

  transaction<T>(lock: string, work: (queries: TransactionQueries) => Promise<T>): Promise<T> {
    // Checks of one group wait for each other here, not each on a pooled connection inside the database: one
    // connection per group waits for the lock, the rest of the pool goes on answering up-to-date machines.
    return this.#groups.run(lock, () => this.#transaction(lock, work));
  }

  async #transaction<T>(lock: string, work: (queries: TransactionQueries) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    const pending: Promise<pg.QueryResult>[] = [];
    // The connection pipelines: what is issued before an answer arrives goes out at once.
    const issue = (sql: string, params: readonly SqlValue[]) => {
      const query = client.query<Record<string, unknown>>(statement(sql, params));
      // Looked at by allSettled below; without a handler now, a failure before then would be unhandled.
      query.catch(() => undefined);
      pending.push(query);
      return query;
    };
    const opening = issue('BEGIN', []);
    const locking = issue(LOCK, [lock]);
    const queries: TransactionQueries = {
      all: async (sql, params = []) => (await issue(sql, params)).rows,
      run: async (sql, params = []) => (await issue(sql, params)).rowCount ?? 0,
      write: (sql, params = []) => void issue(sql, params),
    };
    let value: T;
    try {
      value = await work(queries);
      await Promise.all([opening, locking]);
    } catch (error) {
      // A failed BEGIN or lock fails every query behind it; the first failure is the one to report.
      const failures = (await Promise.allSettled(pending)).filter((outcome) => outcome.status === 'rejected');
      await this.#rollBack(client);
      throw failures[0]?.reason ?? error;
    }
    // The writes still in flight and the COMMIT share one round trip. Had a write failed, the transaction would be
    // aborted and its COMMIT a rollback: the write's error is reported, and nothing was committed.
    const committing = client.query('COMMIT');
    const outcomes = await Promise.allSettled([...pending, committing]);
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure !== undefined) {
      await this.#rollBack(client);
      throw failure.reason;
    }
    client.release();
    const committed = await committing;
    if (committed.command !== 'COMMIT')
      throw new UpdateStoreError(`the transaction ended in ${committed.command}, not COMMIT`, { lock });
    return value;
  }

  /** Ends a failed transaction; a connection that cannot is closed rather than given back to the pool. */
  async #rollBack(client: pg.PoolClient): Promise<void> {
    try {
      await client.query('ROLLBACK');
      client.release();
    } catch (error) {
      client.release(error instanceof Error ? error : true);
    }
  }

  close(): Promise<void> {
    return this.#pool.end();
  }
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<UpdateStore> {
  // Pipelined: a transaction's BEGIN, lock and reads, and later its writes and COMMIT, each take one round trip.
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 8,
    pipeline: true,
  });
  pool.on('error', options.onConnectionError);
  // Two replicas starting together must not race to create the tables.
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', ['strata-update-server-schema']);
    for (const statement of POSTGRES_SCHEMA) await client.query(statement);
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', ['strata-update-server-schema']);
  } finally {
    client.release();
  }
  return new SqlUpdateStore(new PostgresConnection(pool));
}
