// The default store: SQLite through Node's built-in node:sqlite, for one
// replica. node:sqlite is synchronous, so transactions are queued in-process;
// BEGIN IMMEDIATE also keeps a second process from writing in between.
import { DatabaseSync } from 'node:sqlite';
import { SQLITE_SCHEMA } from './schema.ts';
import { SqlUpdateStore, type SqlConnection, type SqlQueries, type SqlValue } from './sql-store.ts';
import type { UpdateStore } from './store.ts';

export interface SqliteStoreOptions {
  /** A file path, or `:memory:`. */
  readonly path: string;
}

class SqliteConnection implements SqlConnection {
  readonly #db: DatabaseSync;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  all(sql: string, params: readonly SqlValue[] = []): Promise<readonly unknown[]> {
    return Promise.resolve(this.#db.prepare(sql).all(...params));
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return Promise.resolve(Number(this.#db.prepare(sql).run(...params).changes));
  }

  transaction<T>(_lock: string, work: (queries: SqlQueries) => Promise<T>): Promise<T> {
    const result = this.#queue.then(async () => {
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        const value = await work(this);
        this.#db.exec('COMMIT');
        return value;
      } catch (error) {
        this.#db.exec('ROLLBACK');
        throw error;
      }
    });
    // The queue only orders transactions; each caller sees its own outcome.
    this.#queue = result.catch(() => undefined);
    return result;
  }

  close(): Promise<void> {
    this.#db.close();
    return Promise.resolve();
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
