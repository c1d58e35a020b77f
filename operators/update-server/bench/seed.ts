// 100,000 known machines, written straight into the tables (the benchmark
// measures checks, not the first check of each machine): most already run the
// new version, the rest run the old one and are granted as they check in.
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { NEW_VERSION, OLD_VERSION } from './catalog.ts';

export const machineId = (index: number) => `bench-${String(index).padStart(6, '0')}`;

/** Every `OLD_EVERY`-th machine still runs the old version. */
export const OLD_EVERY = 10;

export function seedSqlite(path: string, machines: number, now: number): void {
  const db = new DatabaseSync(path);
  db.exec('BEGIN');
  const insert = db.prepare(
    `INSERT INTO machines (machine_id, alias, track, current_version, state, last_check_at) VALUES (?, '', 'stable', ?, ?, ?)`,
  );
  for (let index = 0; index < machines; index++) {
    const old = index % OLD_EVERY === 0;
    insert.run(machineId(index), old ? OLD_VERSION : NEW_VERSION, old ? null : 'complete', now);
  }
  db.exec('COMMIT');
  db.close();
}

export async function seedPostgres(connectionString: string, machines: number, now: number): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO machines (machine_id, alias, track, current_version, state, last_check_at)
       SELECT 'bench-' || lpad(i::text, 6, '0'), '', 'stable',
              CASE WHEN i % $2 = 0 THEN $3 ELSE $4 END, CASE WHEN i % $2 = 0 THEN NULL ELSE 'complete' END, $5
       FROM generate_series(0, $1 - 1) AS i`,
      [machines, OLD_EVERY, OLD_VERSION, NEW_VERSION, now],
    );
    await client.query('ANALYZE machines');
  } finally {
    await client.end();
  }
}
