// The default store: SQLite through Node's built-in node:sqlite, for one
// replica. node:sqlite is synchronous, so transactions are queued in-process;
// BEGIN IMMEDIATE also keeps a second process from writing in between.
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { SQLITE_SCHEMA } from './schema.ts';
import { SqlUpdateStore, type SqlConnection, type SqlValue, type TransactionQueries } from './sql-store.ts';
import type { UpdateStore } from './store.ts';

export interface SqliteStoreOptions {
  /** A file path, or `:memory:`. */
  readonly path: string;
}

class SqliteConnection implements SqlConnection {
  readonly #db: DatabaseSync;
  /** Prepared once per query text: preparing costs more than running these small queries. */
  readonly #statements = new Map<string, StatementSync>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  // Outside a transaction a statement still waits its turn: on this one connection it would otherwise run inside
  // whichever transaction is open, and share its fate.
  all(sql: string, params: readonly SqlValue[] = []): Promise<readonly unknown[]> {
    return this.#enqueue(() => this.#inner.all(sql, params));
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.#enqueue(() => this.#inner.run(sql, params));
  }

  readonly #inner = {
    all: (sql: string, params: readonly SqlValue[] = []) => Promise.resolve(this.#statement(sql).all(...params)),
    run: (sql: string, params: readonly SqlValue[] = []) =>
      Promise.resolve(Number(this.#statement(sql).run(...params).changes)),
    // Synchronous: a failing write throws into the transaction's work, which then rolls back.
    write: (sql: string, params: readonly SqlValue[] = []) => {
      this.#statement(sql).run(...params);
    },
  };

  transaction<T>(_lock: string, work: (queries: TransactionQueries) => Promise<T>): Promise<T> {
    return this.#enqueue(async () => {
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        const value = await work(this.#inner);
        this.#db.exec('COMMIT');
        return value;
      } catch (error) {
        this.#db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  #enqueue<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(work);
    // The queue only orders the work; each caller sees its own outcome.
    this.#queue = result.catch(() => undefined);
    return result;
  }

  close(): Promise<void> {
    this.#db.close();
    return Promise.resolve();
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}

export function openSqliteStore(options: SqliteStoreOptions): UpdateStore {
  const db = new DatabaseSync(options.path);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA busy_timeout = 5000');
  for (const statement of SQLITE_SCHEMA) db.exec(statement);
  return new SqlUpdateStore(new SqliteConnection(db));
}
