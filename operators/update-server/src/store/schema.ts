// The tables, for both databases. Times are milliseconds since the epoch
// (BIGINT), so both compare and index them the same way.

const tables = (historyId: string) => [
  `CREATE TABLE IF NOT EXISTS machines (
     machine_id TEXT PRIMARY KEY,
     alias TEXT NOT NULL,
     track TEXT NOT NULL,
     current_version TEXT NOT NULL,
     target_version TEXT,
     state TEXT,
     hold_reason TEXT,
     granted_at BIGINT,
     last_error_code BIGINT,
     last_check_at BIGINT NOT NULL
   )`,
  // granted_at in the rollout index lets a grant's counts be read from the index alone, never from the rows;
  // the index of the first schema, without it, is replaced.
  'DROP INDEX IF EXISTS machines_rollout',
  'CREATE INDEX IF NOT EXISTS machines_rollout_counts ON machines (track, target_version, state, granted_at)',
  'CREATE INDEX IF NOT EXISTS machines_granted ON machines (track, granted_at)',
  `CREATE TABLE IF NOT EXISTS history (
     id ${historyId},
     machine_id TEXT NOT NULL,
     at BIGINT NOT NULL,
     state TEXT NOT NULL,
     version TEXT NOT NULL,
     detail TEXT NOT NULL
   )`,
  'CREATE INDEX IF NOT EXISTS history_machine ON history (machine_id, id)',
  'CREATE INDEX IF NOT EXISTS history_at ON history (at)',
];

export const SQLITE_SCHEMA = tables('INTEGER PRIMARY KEY AUTOINCREMENT');
export const POSTGRES_SCHEMA = tables('BIGSERIAL PRIMARY KEY');
