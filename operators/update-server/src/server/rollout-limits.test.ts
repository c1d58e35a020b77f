// 100 machines check in at once against the real server and a real store,
// SQLite and PostgreSQL: safe mode, the concurrency limit, the period limit
// and office hours hold, and no answer is ever anything but ok or noupdate.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openPostgresStore } from '../store/postgres-store.ts';
import { openSqliteStore } from '../store/sqlite-store.ts';
import type { UpdateStore } from '../store/store.ts';
import { aCatalog, anOmahaRequest } from '../testing/builders.ts';
import { postOmaha, readAsUpdateEngine, type UpdateEngineView } from '../testing/omaha-client.ts';
import { startTestPostgres } from '../testing/postgres.ts';
import { startTestUpdateServer, type TestUpdateServer } from '../testing/test-server.ts';

const MACHINES = 100;
const OLD = '3374.2.0';
const NEW = '3374.2.1';
// A Wednesday, 11:00 in Berlin: inside office hours.
const morning = new Date('2026-12-02T10:00:00Z');
// 20:00 in Berlin: outside office hours, and more than the period after the morning's grants.
const evening = new Date('2026-12-02T19:00:00Z');

const catalog = aCatalog({
  policy: {
    safeMode: true,
    maxInProgress: 10,
    maxUpdatesPerPeriod: 15,
    periodSeconds: 3600,
    officeHours: { timeZone: 'Europe/Berlin', start: '09:00', end: '17:00', days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'] },
  },
});

interface Backend {
  readonly name: string;
  open(): Promise<{ store: UpdateStore; stop: () => Promise<void> }>;
}

function rolloutSuite(backend: Backend, errors: readonly Error[] = []): void {
  describe(`100 machines at once on ${backend.name}`, () => {
    let server: TestUpdateServer;
    let stop: () => Promise<void>;
    const agent = new Agent({ keepAlive: true, maxSockets: MACHINES });
    const ids = Array.from({ length: MACHINES }, (_, index) => `machine-${String(index).padStart(3, '0')}`);

    before(async () => {
      const opened = await backend.open();
      stop = opened.stop;
      server = await startTestUpdateServer({ store: opened.store, catalog, now: morning });
    });
    after(async () => {
      agent.destroy();
      await server.close();
      await server.store.close();
      await stop();
    });

    /** Every machine in `machines` checks in at the same moment; answers by machine. */
    async function checkAll(machines: readonly string[]): Promise<Map<string, UpdateEngineView>> {
      const answers = await Promise.all(
        machines.map(async (machineId) => {
          const answer = await postOmaha(server.url, anOmahaRequest({ machineId }), { agent });
          assert.equal(answer.status, 200);
          const view = readAsUpdateEngine(answer.body);
          assert.ok(view.updateCheckStatus === 'ok' || view.updateCheckStatus === 'noupdate', view.updateCheckStatus);
          return [machineId, view] as const;
        }),
      );
      return new Map(answers);
    }

    const granted = (answers: Map<string, UpdateEngineView>) =>
      [...answers].filter(([, view]) => view.updateCheckStatus === 'ok').map(([id]) => id);
    const reasons = (answers: Map<string, UpdateEngineView>) => {
      const counts: Record<string, number> = {};
      for (const view of answers.values())
        if (view.updateCheckStatus === 'noupdate') counts[view.appStatus] = (counts[view.appStatus] ?? 0) + 1;
      return counts;
    };

    /** The machine reboots into the new version and says so on its next check. */
    async function complete(machineId: string): Promise<void> {
      const answer = await postOmaha(
        server.url,
        anOmahaRequest({ machineId, version: NEW, events: [{ type: 3, result: 2, previousVersion: OLD }] }),
        { agent },
      );
      assert.equal(readAsUpdateEngine(answer.body).updateCheckStatus, 'noupdate');
    }

    let waiting: string[] = [];

    it('safe mode: exactly one machine goes first', async () => {
      const answers = await checkAll(ids);
      const first = granted(answers);
      assert.equal(first.length, 1);
      assert.deepEqual(reasons(answers), { 'safe-mode': MACHINES - 1 });
      await complete(first[0] ?? '');
      waiting = ids.filter((id) => id !== first[0]);
    });

    it('after the first succeeds, at most 10 are in progress at once', async () => {
      const answers = await checkAll(waiting);
      const batch = granted(answers);
      assert.equal(batch.length, 10);
      assert.deepEqual(reasons(answers), { 'concurrency-limit': waiting.length - 10 });
      // Checking again while in progress renews their grant and admits nobody new.
      const again = await checkAll(waiting);
      assert.deepEqual(granted(again).sort(), [...batch].sort());
      await Promise.all(batch.map(complete));
      waiting = waiting.filter((id) => !batch.includes(id));
    });

    it('the period limit stops the rollout at 15 grants in the hour', async () => {
      const answers = await checkAll(waiting);
      const batch = granted(answers);
      assert.equal(batch.length, 4);
      assert.deepEqual(reasons(answers), { 'period-limit': waiting.length - 4 });
      await Promise.all(batch.map(complete));
      waiting = waiting.filter((id) => !batch.includes(id));
    });

    it('outside office hours nobody is granted, even with the period over', async () => {
      server.setNow(evening);
      const answers = await checkAll(waiting);
      assert.equal(granted(answers).length, 0);
      assert.deepEqual(reasons(answers), { 'outside-office-hours': waiting.length });
    });

    it('the store agrees: 15 complete, none in progress, every machine known', async () => {
      const stats = await server.store.rolloutStats({
        track: 'stable',
        version: NEW,
        periodStart: new Date(0),
        timeoutBefore: new Date(0),
      });
      assert.deepEqual(stats, { inProgress: 0, timedOut: 0, grantedInPeriod: 15, completed: 15, failed: 0 });
      for (const id of ids) assert.ok(await server.store.machine(id), id);
      assert.deepEqual(errors, [], 'no connection to the database failed');
    });
  });
}

rolloutSuite({
  name: 'SQLite',
  async open() {
    const dir = await mkdtemp(join(tmpdir(), 'strata-update-rollout-'));
    return {
      store: openSqliteStore({ path: join(dir, 'updates.db') }),
      stop: () => rm(dir, { recursive: true, force: true }),
    };
  },
});

/** Connection errors while the PostgreSQL suite runs; its last test requires none. */
const connectionErrors: Error[] = [];

rolloutSuite(
  {
    name: 'PostgreSQL',
    async open() {
      const postgres = await startTestPostgres();
      return {
        store: await openPostgresStore({
          connectionString: postgres.connectionString,
          maxConnections: 16,
          onConnectionError: (error) => connectionErrors.push(error),
        }),
        stop: () => postgres.stop(),
      };
    },
  },
  connectionErrors,
);
