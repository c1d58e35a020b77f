// A batch of checks counts a group's rollout once and then follows its own
// writes row by row (rolloutContribution). That only holds if the row-by-row
// conditions are exactly countRollout's SQL: here, over random rows, the sum
// of the rows' contributions must equal what the store counts.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { MACHINE_STATES } from '../policy/machine.ts';
import type { RolloutQuery, RolloutStats } from '../policy/decide.ts';
import { countRollouts, rolloutContribution, type SqlQueries } from './sql-store.ts';
import { openSqliteStore } from './sqlite-store.ts';
import type { UpdateStore } from './store.ts';

const TRACKS = ['stable', 'beta'] as const;
const VERSIONS = ['3374.2.1', '3374.2.0'] as const;
/** Instants on a small grid, so rows land on, before and after the query's bounds. */
const instant = fc.integer({ min: 0, max: 8 }).map((step) => step * 1000);

const aRow = fc.record({
  track: fc.constantFrom(...TRACKS),
  targetVersion: fc.option(fc.constantFrom(...VERSIONS), { nil: null }),
  state: fc.option(fc.constantFrom(...MACHINE_STATES), { nil: null }),
  grantedAt: fc.option(instant, { nil: null }),
});

const aQuery = fc.record({
  track: fc.constantFrom(...TRACKS),
  version: fc.constantFrom(...VERSIONS),
  periodStart: instant.map((at) => new Date(at)),
  timeoutBefore: instant.map((at) => new Date(at)),
});

const sum = (stats: readonly RolloutStats[]): RolloutStats =>
  stats.reduce(
    (total, each) => ({
      inProgress: total.inProgress + each.inProgress,
      timedOut: total.timedOut + each.timedOut,
      completed: total.completed + each.completed,
      failed: total.failed + each.failed,
      grantedInPeriod: total.grantedInPeriod + each.grantedInPeriod,
    }),
    { inProgress: 0, timedOut: 0, completed: 0, failed: 0, grantedInPeriod: 0 },
  );

describe('rolloutContribution', () => {
  let dir = '';
  let db: DatabaseSync;
  let store: UpdateStore;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-contribution-'));
    const path = join(dir, 'updates.db');
    store = openSqliteStore({ path });
    db = new DatabaseSync(path);
  });
  after(async () => {
    db.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('adds up, row by row, to what countRollout counts', async () => {
    const insert = db.prepare(
      `INSERT INTO machines (machine_id, alias, track, current_version, target_version, state, granted_at, last_check_at)
       VALUES (?, '', ?, '3374.1.0', ?, ?, ?, 0)`,
    );
    await fc.assert(
      fc.asyncProperty(fc.array(aRow, { maxLength: 30 }), aQuery, async (rows, query: RolloutQuery) => {
        db.exec('DELETE FROM machines');
        for (const [index, row] of rows.entries())
          insert.run(`m${index}`, row.track, row.targetVersion, row.state, row.grantedAt);
        const { machines } = await store.listMachines({ limit: rows.length + 1 });
        assert.equal(machines.length, rows.length);
        assert.deepEqual(
          sum(machines.map((machine) => rolloutContribution(machine, query))),
          await store.rolloutStats(query),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('counts several instants in one statement as one count for each', async () => {
    const insert = db.prepare(
      `INSERT INTO machines (machine_id, alias, track, current_version, target_version, state, granted_at, last_check_at)
       VALUES (?, '', ?, '3374.1.0', ?, ?, ?, 0)`,
    );
    // The store's own SQL, run on this connection to the same database.
    const queries: SqlQueries = {
      all: (sql, params = []) => Promise.resolve(db.prepare(sql).all(...params)),
      run: (sql, params = []) => Promise.resolve(Number(db.prepare(sql).run(...params).changes)),
    };
    const instants = fc.array(fc.record({ periodStart: instant, timeoutBefore: instant }), {
      minLength: 1,
      maxLength: 6,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(aRow, { maxLength: 30 }),
        fc.constantFrom(...TRACKS),
        fc.constantFrom(...VERSIONS),
        instants,
        async (rows, track, version, bounds) => {
          db.exec('DELETE FROM machines');
          for (const [index, row] of rows.entries())
            insert.run(`m${index}`, row.track, row.targetVersion, row.state, row.grantedAt);
          const asked = bounds.map(({ periodStart, timeoutBefore }) => ({
            track,
            version,
            periodStart: new Date(periodStart),
            timeoutBefore: new Date(timeoutBefore),
          }));
          const each = await Promise.all(asked.map((query) => store.rolloutStats(query)));
          assert.deepEqual(await countRollouts(queries, asked), each);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('counts nothing for a machine never seen', () => {
    const query = { track: 'stable', version: '3374.2.1', periodStart: new Date(0), timeoutBefore: new Date(0) };
    assert.deepEqual(rolloutContribution(undefined, query), {
      inProgress: 0,
      timedOut: 0,
      completed: 0,
      failed: 0,
      grantedInPeriod: 0,
    });
  });
});
