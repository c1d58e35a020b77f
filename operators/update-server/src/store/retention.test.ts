import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startHistoryRetention } from './retention.ts';
import { openSqliteStore } from './sqlite-store.ts';
import type { UpdateStore } from './store.ts';

const now = new Date('2026-12-02T10:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);

async function machineWithHistory(store: UpdateStore, at: readonly Date[]): Promise<void> {
  for (const when of at)
    await store.recordEvents({ machineId: 'm1', alias: '', track: 'stable', version: '3374.2.0', now: when }, [
      { state: 'downloading' },
    ]);
}

describe('startHistoryRetention', () => {
  it('prunes history older than the retention at once and keeps the rest', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    await machineWithHistory(store, [daysAgo(40), daysAgo(31), daysAgo(29), daysAgo(1)]);
    const pruned = Promise.withResolvers<{ removed: number; before: Date }>();
    const retention = startHistoryRetention({
      store,
      retentionSeconds: 30 * 86_400,
      intervalMs: 60_000,
      now: () => now,
      onPruned: (removed, before) => pruned.resolve({ removed, before }),
      onError: pruned.reject,
    });
    try {
      const { removed, before } = await pruned.promise;
      assert.equal(removed, 2);
      assert.deepEqual(before, daysAgo(30));
      assert.deepEqual(
        (await store.history('m1')).map(({ at }) => at),
        [daysAgo(29), daysAgo(1)],
      );
      assert.ok(await store.machine('m1'), 'the machine stays');
    } finally {
      retention.stop();
      await store.close();
    }
  });

  it('reports a failed run instead of swallowing it', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    await store.close();
    const failed = Promise.withResolvers<unknown>();
    const retention = startHistoryRetention({
      store,
      retentionSeconds: 1,
      intervalMs: 60_000,
      onError: failed.resolve,
    });
    try {
      const error = await failed.promise;
      assert.match(String(error), /pruneHistory/);
    } finally {
      retention.stop();
    }
  });
});
