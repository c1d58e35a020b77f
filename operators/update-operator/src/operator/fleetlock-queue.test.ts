import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FleetLockQueue } from './fleetlock-queue.ts';

describe('FleetLockQueue', () => {
  it("keeps a client's place from its first request and shows whether it is asking now", async () => {
    let now = 1000;
    const queue = new FleetLockQueue({ now: () => now, decisionTimeoutMs: 10 });
    const first = queue.ask('f', 'id-f');
    assert.deepEqual(queue.requests(), [{ node: 'f', clientId: 'id-f', since: 1000, live: true }]);
    assert.deepEqual(await first, { granted: false, reason: 'no decision in time; retry' });
    now = 2000;
    assert.deepEqual(
      queue.requests(),
      [{ node: 'f', clientId: 'id-f', since: 1000, live: false }],
      'a timed-out request no longer counts as asking',
    );
    const second = queue.ask('f', 'id-f');
    queue.answer('f', { granted: true, alreadyHeld: false });
    assert.deepEqual(await second, { granted: true, alreadyHeld: false });
    assert.deepEqual(queue.requests(), [], 'a granted client leaves the queue');
  });

  it('forgets a client that stopped asking after the time to live', async () => {
    let now = 0;
    const queue = new FleetLockQueue({ now: () => now, ttlMs: 100, decisionTimeoutMs: 5 });
    await queue.ask('f', 'id-f');
    now = 100;
    assert.equal(queue.requests().length, 1);
    now = 101;
    assert.equal(queue.requests().length, 0);
  });

  it('starts a new place for another client id on the same node, and refuses all on clear', async () => {
    let now = 0;
    const queue = new FleetLockQueue({ now: () => now });
    const a = queue.ask('f', 'id-a');
    now = 50;
    const b = queue.ask('f', 'id-b');
    assert.deepEqual(await a, { granted: false, reason: 'another FleetLock client id (id-b) asked for node f' });
    assert.deepEqual(queue.requests(), [{ node: 'f', clientId: 'id-b', since: 50, live: true }]);
    queue.clear('stopped leading');
    assert.deepEqual(await b, { granted: false, reason: 'stopped leading' });
  });
});
