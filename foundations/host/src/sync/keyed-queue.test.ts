import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyedSerialQueue } from './keyed-queue.ts';

/** A promise the test settles when it chooses. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('KeyedSerialQueue', () => {
  it('runs the work of one key one at a time, in order', async () => {
    const queue = new KeyedSerialQueue();
    const events: string[] = [];
    const first = gate();
    const a = queue.run('k', async () => {
      events.push('a start');
      await first.opened;
      events.push('a end');
      return 'a';
    });
    const b = queue.run('k', async () => {
      events.push('b start');
      await Promise.resolve();
      events.push('b end');
      return 'b';
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(events, ['a start'], 'b waits while a runs');
    first.open();
    assert.deepEqual(await Promise.all([a, b]), ['a', 'b']);
    assert.deepEqual(events, ['a start', 'a end', 'b start', 'b end']);
  });

  it('runs the work of different keys concurrently', async () => {
    const queue = new KeyedSerialQueue();
    const held = gate();
    const started: string[] = [];
    const x = queue.run('x', async () => {
      started.push('x');
      await held.opened;
    });
    const y = queue.run('y', () => {
      started.push('y');
      return Promise.resolve();
    });
    await y;
    assert.deepEqual(started, ['x', 'y'], 'y ran while x was still held');
    held.open();
    await x;
  });

  it('gives each caller its own failure and goes on with the next work', async () => {
    const queue = new KeyedSerialQueue();
    const failing = queue.run('k', () => Promise.reject(new Error('first failed')));
    const next = queue.run('k', () => Promise.resolve('second'));
    await assert.rejects(failing, /first failed/);
    assert.equal(await next, 'second');
  });

  it('forgets a key once its work has settled', async () => {
    const queue = new KeyedSerialQueue();
    const held = gate();
    const work = queue.run('k', () => held.opened);
    assert.equal(queue.size, 1);
    held.open();
    await work;
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(queue.size, 0);
  });
});
