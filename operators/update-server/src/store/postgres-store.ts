// PostgreSQL, for several replicas. A check that may grant takes a
// transaction-scoped advisory lock on its group's track, so replicas count
// and grant one at a time per group and never exceed a limit together.
import pg from 'pg';
import { POSTGRES_SCHEMA } from './schema.ts';
import { SqlUpdateStore, type SqlConnection, type SqlQueries, type SqlValue } from './sql-store.ts';
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

  async transaction<T>(lock: string, work: (queries: SqlQueries) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lock]);
      const value = await work(queriesOf(client));
      await client.query('COMMIT');
      return value;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    return this.#pool.end();
  }
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<UpdateStore> {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 8 });
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
