// One storage suite, run on SQLite and on PostgreSQL (a private cluster from
// Debian's package, started here; without it the suite fails and says how to
// install it).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { decideCheck } from '../policy/decide.ts';
import type { StateChange } from '../policy/events.ts';
import { parseCatalog, type Catalog } from '../policy/model.ts';
import { aCatalog, type CatalogOptions } from '../testing/builders.ts';
import { startTestPostgres, type TestPostgres } from '../testing/postgres.ts';
import { openPostgresStore } from './postgres-store.ts';
import { openSqliteStore } from './sqlite-store.ts';
import type { CheckRequest, FinalDecision, MachineIdentity, UpdateStore } from './store.ts';

const start = new Date('2026-12-02T10:00:00Z');
const later = (seconds: number) => new Date(start.getTime() + seconds * 1000);

interface Backend {
  readonly name: string;
  /** A fresh, empty store; `reopen` opens the same data again, as a restarted server would. */
  open(): Promise<{ store: UpdateStore; reopen: () => Promise<UpdateStore> }>;
  stop(): Promise<void>;
  /** PostgreSQL serves several replicas; SQLite one (node:sqlite is synchronous: two stores in one process would wait on each other's locks without end). */
  readonly severalReplicas: boolean;
  /**
   * Makes the database refuse the history entry of a grant to one machine, as a failing database would, until the
   * returned function is called.
   */
  refuseGrantHistory(machineId: string): Promise<() => Promise<void>>;
}

let nextTrack = 0;

/** Each test gets its own track (so groups do not share counts) and its own machine IDs. */
function fixture(options: CatalogOptions = {}) {
  const track = `track-${++nextTrack}`;
  const catalog: Catalog = parseCatalog(aCatalog({ ...options, track }));
  const identity = (machine: string, version = '3374.2.0', now = start): MachineIdentity => ({
    machineId: `${track}-${machine}`,
    alias: machine,
    track,
    version,
    now,
  });
  const check = (store: UpdateStore, who: MachineIdentity): Promise<FinalDecision> =>
    store.recordCheck({
      ...who,
      decide: (machine, rollout) =>
        decideCheck({
          machineId: who.machineId,
          version: who.version,
          group: catalog.groupByTrack.get(track),
          channel: catalog.channelByName.get('stable'),
          machine,
          now: who.now,
          rollout,
        }),
    });
  const request = (who: MachineIdentity): CheckRequest => ({
    ...who,
    decide: (machine, rollout) =>
      decideCheck({
        machineId: who.machineId,
        version: who.version,
        group: catalog.groupByTrack.get(track),
        channel: catalog.channelByName.get('stable'),
        machine,
        now: who.now,
        rollout,
      }),
  });
  return { track, identity, check, request };
}

/** A decision as a short word, to compare batches with one-at-a-time runs. */
const summary = (decision: FinalDecision) =>
  decision.kind === 'grant'
    ? decision.regrant
      ? 'regrant'
      : 'grant'
    : decision.kind === 'hold'
      ? decision.reason
      : 'noupdate';

function storageSuite(backend: Backend, errors: readonly Error[] = []): void {
  describe(`${backend.name} store`, () => {
    let store: UpdateStore;
    let reopen: () => Promise<UpdateStore>;
    before(async () => ({ store, reopen } = await backend.open()));
    after(async () => {
      await store.close();
      await backend.stop();
    });

    it('grants a new machine and records it with its history', async () => {
      const { identity, check } = fixture();
      const who = identity('a');
      assert.equal((await check(store, who)).kind, 'grant');
      const machine = await store.machine(who.machineId);
      assert.equal(machine?.state, 'granted');
      assert.equal(machine?.targetVersion, '3374.2.1');
      assert.equal(machine?.currentVersion, '3374.2.0');
      assert.equal(machine?.alias, 'a');
      assert.deepEqual(machine?.grantedAt, start);
      assert.deepEqual(
        (await store.history(who.machineId)).map(({ state, version }) => [state, version]),
        [['granted', '3374.2.1']],
      );
    });

    it('tells its listeners of each check and state event after it is committed, and not once they leave', async () => {
      const { identity, check, request, track } = fixture();
      // What a listener reads when told is what was committed: the change feed's readers read it next.
      const heard: Promise<[string, string, string | undefined]>[] = [];
      const stop = store.onMachineChange((change) =>
        heard.push(
          store
            .machine(change.machineId)
            .then((machine) => [change.machineId.slice(track.length + 1), change.track, machine?.state]),
        ),
      );
      // Each read is awaited before the next write: it must see that change, not a later one.
      await check(store, identity('told'));
      await Promise.all(heard);
      await store.recordEvents(identity('told', '3374.2.0', later(1)), [{ state: 'downloading' }]);
      await Promise.all(heard);
      await store.recordEvents(identity('told', '3374.2.0', later(2)), []);
      await store.recordChecks([request(identity('second', '3374.2.1')), request(identity('third', '3374.2.1'))]);
      stop();
      await check(store, identity('untold'));
      assert.deepEqual(await Promise.all(heard), [
        ['told', track, 'granted'],
        ['told', track, 'downloading'],
        ['second', track, undefined],
        ['third', track, undefined],
      ]);
    });

    it('follows a machine through download, install and completion, once each', async () => {
      const { identity, check } = fixture();
      const who = identity('b');
      await check(store, who);
      const steps: StateChange[] = [{ state: 'downloading' }, { state: 'downloaded' }, { state: 'installed' }];
      for (const [index, change] of steps.entries())
        await store.recordEvents(identity('b', '3374.2.0', later(index + 1)), [change]);
      const rebooted = identity('b', '3374.2.1', later(10));
      await store.recordEvents(rebooted, [{ state: 'complete' }]);
      await store.recordEvents(identity('b', '3374.2.1', later(20)), [{ state: 'complete' }]);
      assert.deepEqual((await check(store, identity('b', '3374.2.1', later(30)))).kind, 'noupdate');
      const history = await store.history(who.machineId);
      assert.deepEqual(
        history.map(({ state, version }) => [state, version]),
        [
          ['granted', '3374.2.1'],
          ['downloading', '3374.2.1'],
          ['downloaded', '3374.2.1'],
          ['installed', '3374.2.1'],
          ['complete', '3374.2.1'],
        ],
      );
      assert.deepEqual(
        history.map(({ at }) => at.getTime()),
        [0, 1, 2, 3, 10].map((s) => later(s).getTime()),
      );
      const machine = await store.machine(who.machineId);
      assert.equal(machine?.state, 'complete');
      assert.equal(machine?.currentVersion, '3374.2.1');
    });

    it('records a rollback and never offers that release to the machine again', async () => {
      const { identity, check } = fixture();
      await check(store, identity('c'));
      await store.recordEvents(identity('c', '3374.2.0', later(5)), [
        { state: 'error', errorCode: 44, rollback: true },
      ]);
      for (const seconds of [60, 120, 180]) {
        const decision = await check(store, identity('c', '3374.2.0', later(seconds)));
        assert.deepEqual(decision, { kind: 'hold', reason: 'failed-before', targetVersion: '3374.2.1' });
      }
      const machine = await store.machine(identity('c').machineId);
      assert.equal(machine?.state, 'error');
      assert.equal(machine?.lastErrorCode, 44);
      assert.equal(machine?.holdReason, 'failed-before');
      assert.deepEqual(
        (await store.history(identity('c').machineId)).map(({ state, detail }) => [state, detail]),
        [
          ['granted', ''],
          ['error', '44 rollback'],
        ],
      );
    });

    it('records a hold once per reason, not once per check', async () => {
      const { identity, check } = fixture({ policy: { enabled: false } });
      for (const seconds of [0, 60, 120]) await check(store, identity('d', '3374.2.0', later(seconds)));
      const history = await store.history(identity('d').machineId);
      assert.deepEqual(
        history.map(({ state, detail }) => [state, detail]),
        [['on-hold', 'updates-disabled']],
      );
      assert.equal((await store.machine(identity('d').machineId))?.state, 'on-hold');
    });

    it('never exceeds the concurrency limit when 40 machines check at once', async () => {
      const { identity, check, track } = fixture({ policy: { maxInProgress: 3, maxUpdatesPerPeriod: 100 } });
      const decisions = await Promise.all(
        Array.from({ length: 40 }, (_, index) => check(store, identity(`m${index}`))),
      );
      assert.equal(decisions.filter(({ kind }) => kind === 'grant').length, 3);
      assert.equal(
        decisions.filter((decision) => decision.kind === 'hold' && decision.reason === 'concurrency-limit').length,
        37,
      );
      const stats = await store.rolloutStats({
        track,
        version: '3374.2.1',
        periodStart: later(-3600),
        timeoutBefore: later(-3600),
      });
      assert.deepEqual(stats, { inProgress: 3, timedOut: 0, grantedInPeriod: 3, completed: 0, failed: 0 });
    });

    it('counts a grant past its timeout as timed out', async () => {
      const { identity, check, track } = fixture({ policy: { updateTimeoutSeconds: 600, maxTimedOut: 1 } });
      await check(store, identity('e'));
      const stats = await store.rolloutStats({
        track,
        version: '3374.2.1',
        periodStart: start,
        timeoutBefore: later(1),
      });
      assert.equal(stats.timedOut, 1);
      assert.equal(stats.inProgress, 0);
      assert.deepEqual(await check(store, identity('f', '3374.2.0', later(601))), {
        kind: 'hold',
        reason: 'timed-out-limit',
        targetVersion: '3374.2.1',
      });
    });

    it('counts the machines of a track by version, most first', async () => {
      const { identity, check, track } = fixture({ policy: { enabled: false } });
      for (const [name, version] of [
        ['v1', '3374.2.0'],
        ['v2', '3374.2.0'],
        ['v3', '3374.2.1'],
        ['v4', '3374.1.9'],
        ['v5', '3374.2.0'],
      ] as const)
        await check(store, identity(name, version));
      assert.deepEqual(await store.versionBreakdown(track), [
        { version: '3374.2.0', machines: 3 },
        { version: '3374.1.9', machines: 1 },
        { version: '3374.2.1', machines: 1 },
      ]);
      assert.deepEqual(await store.versionBreakdown(`${track}-nobody`), []);
    });

    it('pages machines by ID and filters by track, version and state', async () => {
      const { identity, check, track } = fixture({ policy: { maxInProgress: 2, maxUpdatesPerPeriod: 100 } });
      // p0 and p1 are granted (the concurrency limit is 2); the rest are held; p4 already runs the release.
      for (const name of ['p0', 'p1', 'p2', 'p3']) await check(store, identity(name));
      await check(store, identity('p4', '3374.2.1'));
      const ids: string[] = [];
      let after: string | undefined;
      let pages = 0;
      do {
        const page = await store.listMachines({ track, limit: 2, ...(after === undefined ? {} : { after }) });
        ids.push(...page.machines.map(({ machineId }) => machineId));
        after = page.lastMachineId;
        pages += 1;
      } while (after !== undefined);
      assert.deepEqual(
        ids,
        ['p0', 'p1', 'p2', 'p3', 'p4'].map((name) => identity(name).machineId),
      );
      assert.equal(pages, 3);
      const granted = await store.listMachines({ track, state: 'granted', limit: 10 });
      assert.deepEqual(
        granted.machines.map(({ alias }) => alias),
        ['p0', 'p1'],
      );
      assert.equal(granted.lastMachineId, undefined);
      const onRelease = await store.listMachines({ track, version: '3374.2.1', limit: 10 });
      assert.deepEqual(
        onRelease.machines.map(({ alias }) => alias),
        ['p4'],
      );
      assert.deepEqual((await store.listMachines({ track: `${track}-nobody`, limit: 10 })).machines, []);
    });

    it('prunes history older than the retention and keeps the rest', async () => {
      const { identity, check } = fixture();
      await check(store, identity('g', '3374.2.0', later(-10 * 86400)));
      await store.recordEvents(identity('g', '3374.2.0', later(-1)), [{ state: 'downloading' }]);
      const removed = await store.pruneHistory(later(-86400));
      assert.ok(removed >= 1, `removed ${removed}`);
      assert.deepEqual(
        (await store.history(identity('g').machineId)).map(({ state }) => state),
        ['downloading'],
      );
      assert.equal((await store.machine(identity('g').machineId))?.state, 'downloading', 'the machine itself stays');
    });

    it('keeps every machine and its history across a restart', async () => {
      const { identity, check } = fixture();
      await check(store, identity('h'));
      await store.recordEvents(identity('h', '3374.2.0', later(1)), [{ state: 'downloading' }]);
      const before = {
        machine: await store.machine(identity('h').machineId),
        history: await store.history(identity('h').machineId),
      };
      await store.close();
      store = await reopen();
      assert.deepEqual(await store.machine(identity('h').machineId), before.machine);
      assert.deepEqual(await store.history(identity('h').machineId), before.history);
      // The machine in progress keeps its grant after the restart, without counting twice.
      const decision = await check(store, identity('h', '3374.2.0', later(2)));
      assert.equal(decision.kind === 'grant' && decision.regrant, true);
    });

    it('decides a batch in order as one check after another would: a held timed-out grant frees its place', async () => {
      const policy = { updateTimeoutSeconds: 600, maxTimedOut: 1, maxInProgress: 5, maxUpdatesPerPeriod: 100 };
      const outcomes: Record<string, string[]> = {};
      for (const order of ['late first', 'late last', 'one at a time'] as const) {
        const { identity, check, request } = fixture({ policy });
        await check(store, identity('late'));
        // 601 s later the grant has timed out: the limit of one timed out holds the next machine that may grant.
        const late = identity('late', '3374.2.0', later(601));
        const fresh = identity('fresh', '3374.2.0', later(601));
        const decisions =
          order === 'late first'
            ? await store.recordChecks([request(late), request(fresh)])
            : order === 'late last'
              ? (await store.recordChecks([request(fresh), request(late)])).toReversed()
              : [await check(store, late), await check(store, fresh)];
        outcomes[order] = decisions.map(summary);
      }
      // The late machine is held, which ends its timed-out grant, so the fresh one after it is granted; before it, not.
      assert.deepEqual(outcomes, {
        'late first': ['timed-out-limit', 'grant'],
        'late last': ['timed-out-limit', 'timed-out-limit'],
        'one at a time': ['timed-out-limit', 'grant'],
      });
    });

    it('decides a machine that checks twice in one batch as twice in a row, and keeps to the limit', async () => {
      const { identity, request, track } = fixture({ policy: { maxInProgress: 1, maxUpdatesPerPeriod: 100 } });
      const decisions = await store.recordChecks([
        request(identity('twice')),
        request(identity('twice', '3374.2.0', later(1))),
        request(identity('other', '3374.2.0', later(1))),
      ]);
      assert.deepEqual(decisions.map(summary), ['grant', 'regrant', 'concurrency-limit']);
      assert.equal((await store.machine(identity('twice').machineId))?.state, 'granted');
      assert.deepEqual(
        (await store.history(identity('twice').machineId)).map(({ state }) => state),
        ['granted'],
      );
      const stats = await store.rolloutStats({
        track,
        version: '3374.2.1',
        periodStart: later(-3600),
        timeoutBefore: later(-3600),
      });
      assert.deepEqual(stats, { inProgress: 1, timedOut: 0, grantedInPeriod: 1, completed: 0, failed: 0 });
    });

    if (backend.severalReplicas)
      it('keeps the limits when two stores (two replicas) grant in one group at once', async () => {
        const second = await reopen();
        try {
          const { identity, check, track } = fixture({ policy: { maxInProgress: 4, maxUpdatesPerPeriod: 100 } });
          const decisions = await Promise.all(
            Array.from({ length: 40 }, (_, index) => check(index % 2 === 0 ? store : second, identity(`r${index}`))),
          );
          assert.equal(decisions.filter(({ kind }) => kind === 'grant').length, 4);
          const stats = await store.rolloutStats({
            track,
            version: '3374.2.1',
            periodStart: later(-3600),
            timeoutBefore: later(-3600),
          });
          assert.equal(stats.inProgress, 4);
        } finally {
          await second.close();
        }
      });

    it('commits nothing of a check whose write fails, and fails no other check with it', async () => {
      const { identity, check } = fixture({ policy: { maxInProgress: 10, maxUpdatesPerPeriod: 100 } });
      const refused = identity('refused');
      const allow = await backend.refuseGrantHistory(refused.machineId);
      let outcomes;
      try {
        outcomes = await Promise.allSettled([
          check(store, refused),
          ...['s1', 's2', 's3'].map((name) => check(store, identity(name))),
        ]);
      } finally {
        await allow();
      }
      const [failed, ...others] = outcomes;
      assert.equal(failed?.status, 'rejected');
      assert.deepEqual(
        others.map((outcome) => (outcome.status === 'fulfilled' ? summary(outcome.value) : 'failed')),
        ['grant', 'grant', 'grant'],
      );
      // The grant's row update went out with the refused history entry: neither was committed.
      const machine = await store.machine(refused.machineId);
      assert.equal(machine?.state, undefined);
      assert.deepEqual(await store.history(refused.machineId), []);
      // The store goes on: the same check now succeeds.
      assert.equal(summary(await check(store, identity('refused', '3374.2.0', later(1)))), 'grant');
    });

    it('lost no connection on the way', () => assert.deepEqual(errors, []));
  });
}

let sqliteDir = '';
storageSuite({
  name: 'SQLite',
  async open() {
    sqliteDir = await mkdtemp(join(tmpdir(), 'strata-update-store-'));
    const path = join(sqliteDir, 'updates.db');
    return { store: openSqliteStore({ path }), reopen: () => Promise.resolve(openSqliteStore({ path })) };
  },
  stop: () => rm(sqliteDir, { recursive: true, force: true }),
  severalReplicas: false,
  refuseGrantHistory(machineId) {
    const db = new DatabaseSync(join(sqliteDir, 'updates.db'));
    db.exec(`CREATE TRIGGER refuse_grant BEFORE INSERT ON history
             WHEN NEW.state = 'granted' AND NEW.machine_id = '${machineId}'
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
    return Promise.resolve(() => {
      db.exec('DROP TRIGGER refuse_grant');
      db.close();
      return Promise.resolve();
    });
  },
});

let postgres: TestPostgres | undefined;
/** Connection errors while the suite runs; the suite's last test requires none. */
const connectionErrors: Error[] = [];
const onConnectionError = (error: Error) => connectionErrors.push(error);
storageSuite(
  {
    name: 'PostgreSQL',
    async open() {
      postgres = await startTestPostgres();
      const connectionString = postgres.connectionString;
      return {
        store: await openPostgresStore({ connectionString, onConnectionError }),
        reopen: () => openPostgresStore({ connectionString, onConnectionError }),
      };
    },
    stop: async () => postgres?.stop(),
    severalReplicas: true,
    async refuseGrantHistory(machineId) {
      const client = new pg.Client({ connectionString: postgres?.connectionString });
      await client.connect();
      await client.query(
        `ALTER TABLE history ADD CONSTRAINT refuse_grant CHECK (NOT (state = 'granted' AND machine_id = '${machineId}'))`,
      );
      return async () => {
        await client.query('ALTER TABLE history DROP CONSTRAINT refuse_grant');
        await client.end();
      };
    },
  },
  connectionErrors,
);
