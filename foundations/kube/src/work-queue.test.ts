import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { BackoffConfigError } from './backoff.ts';
import { ExponentialBackoffRateLimiter } from './rate-limiter.ts';
import { runWorkers, WorkQueue } from './work-queue.ts';

/** Lets pending promise callbacks run without advancing the mocked clock. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
};

describe('ExponentialBackoffRateLimiter', () => {
  it('doubles from 5 ms up to 1000 s by default, per key, until forgotten', () => {
    const limiter = new ExponentialBackoffRateLimiter();
    assert.deepEqual([limiter.when('a'), limiter.when('a'), limiter.when('a')], [5, 10, 20]);
    assert.equal(limiter.when('b'), 5);
    assert.equal(limiter.retries('a'), 3);
    for (let i = 0; i < 40; i += 1) limiter.when('a');
    assert.equal(limiter.when('a'), 1_000_000);
    for (let i = 0; i < 2000; i += 1) limiter.when('a');
    assert.equal(limiter.when('a'), 1_000_000);
    limiter.forget('a');
    assert.equal(limiter.retries('a'), 0);
    assert.equal(limiter.when('a'), 5);
  });

  it('is configurable and rejects nonsense', () => {
    const limiter = new ExponentialBackoffRateLimiter({ baseDelayMs: 100, maxDelayMs: 300 });
    assert.deepEqual([limiter.when('k'), limiter.when('k'), limiter.when('k')], [100, 200, 300]);
    assert.throws(() => new ExponentialBackoffRateLimiter({ baseDelayMs: 0 }), BackoffConfigError);
    assert.throws(() => new ExponentialBackoffRateLimiter({ baseDelayMs: 10, maxDelayMs: 5 }), BackoffConfigError);
  });
});

describe('WorkQueue', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'] }));
  afterEach(() => mock.timers.reset());

  it('de-duplicates keys while they are queued, in FIFO order', async () => {
    const queue = new WorkQueue();
    queue.add('a');
    queue.add('b');
    queue.add('a');
    assert.equal(queue.length, 2);
    assert.equal(await queue.get(), 'a');
    assert.equal(await queue.get(), 'b');
    assert.equal(queue.length, 0);
  });

  it('processes a key re-added during processing again after done, never concurrently', async () => {
    const queue = new WorkQueue();
    queue.add('a');
    assert.equal(await queue.get(), 'a');
    queue.add('a');
    queue.add('a');
    assert.equal(queue.length, 0, 'held back while a worker has it');
    let second: string | undefined;
    void queue.get().then((key) => (second = key));
    await settle();
    assert.equal(second, undefined);
    queue.done('a');
    await settle();
    assert.equal(second, 'a');
    queue.done('a');
    assert.equal(queue.length, 0, 'processed once more, not twice');
  });

  it('hands a key to a waiting worker as soon as it is added', async () => {
    const queue = new WorkQueue();
    const next = queue.get();
    queue.add('x');
    assert.equal(await next, 'x');
  });

  it('adds after a delay, keeping the earliest pending one', () => {
    const queue = new WorkQueue();
    queue.addAfter('a', 100);
    queue.addAfter('a', 500);
    mock.timers.tick(99);
    assert.equal(queue.length, 0);
    mock.timers.tick(1);
    assert.equal(queue.length, 1);
    mock.timers.tick(1000);
    assert.equal(queue.length, 1, 'the later add was merged');

    queue.addAfter('b', 500);
    queue.addAfter('b', 50);
    mock.timers.tick(50);
    assert.equal(queue.length, 2, 'an earlier add replaces a later one');
    queue.addAfter('c', 0);
    assert.equal(queue.length, 3);
  });

  it('backs off per key on addRateLimited until forgotten', () => {
    const queue = new WorkQueue({
      rateLimiter: new ExponentialBackoffRateLimiter({ baseDelayMs: 10, maxDelayMs: 1000 }),
    });
    const ready = (delay: number): number => {
      mock.timers.tick(delay - 1);
      const before = queue.length;
      mock.timers.tick(1);
      return queue.length - before;
    };
    queue.addRateLimited('a');
    assert.equal(ready(10), 1);
    void queue.get();
    queue.done('a');
    queue.addRateLimited('a');
    assert.equal(ready(20), 1);
    assert.equal(queue.retries('a'), 2);
    void queue.get();
    queue.done('a');
    queue.forget('a');
    queue.addRateLimited('a');
    assert.equal(ready(10), 1);
  });

  it('drains on shutDown: refuses new keys, drops delayed ones, finishes queued and in-flight ones', async () => {
    const queue = new WorkQueue();
    queue.add('a');
    queue.add('b');
    queue.addAfter('late', 10);
    assert.equal(await queue.get(), 'a');
    let drained = false;
    void queue.shutDown().then(() => (drained = true));
    queue.add('c');
    mock.timers.tick(10);
    assert.equal(queue.length, 1, 'only b is left');
    assert.equal(await queue.get(), 'b');
    assert.equal(await queue.get(), undefined);
    queue.done('a');
    await settle();
    assert.equal(drained, false, 'b is still in flight');
    queue.done('b');
    await settle();
    assert.equal(drained, true);
  });

  it('releases idle workers on shutDown', async () => {
    const queue = new WorkQueue();
    const waiting = queue.get();
    await queue.shutDown();
    assert.equal(await waiting, undefined);
  });
});

describe('runWorkers', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'] }));
  afterEach(() => mock.timers.reset());

  it('re-queues a failing key with back-off, reports the error, and forgets it on success', async () => {
    const queue = new WorkQueue({ rateLimiter: new ExponentialBackoffRateLimiter({ baseDelayMs: 100 }) });
    const errors: [unknown, string][] = [];
    let attempts = 0;
    const boom = new Error('boom');
    const running = runWorkers(
      queue,
      2,
      (key) => {
        attempts += 1;
        if (attempts <= 2) throw boom;
        assert.equal(key, 'a');
      },
      { onError: (error, key) => errors.push([error, key]) },
    );
    queue.add('a');
    await settle();
    assert.equal(attempts, 1);
    assert.deepEqual(errors, [[boom, 'a']]);
    mock.timers.tick(99);
    await settle();
    assert.equal(attempts, 1, 'waits its back-off');
    mock.timers.tick(1);
    await settle();
    assert.equal(attempts, 2);
    mock.timers.tick(200);
    await settle();
    assert.equal(attempts, 3);
    assert.equal(errors.length, 2);
    assert.equal(queue.retries('a'), 0, 'success forgets the back-off');
    await queue.shutDown();
    await running;
  });

  it('never runs one key on two workers at once, yet runs different keys in parallel', async () => {
    const queue = new WorkQueue();
    const active = new Set<string>();
    let parallel = 0;
    let maxParallel = 0;
    const releases: (() => void)[] = [];
    const running = runWorkers(
      queue,
      3,
      async (key) => {
        assert.ok(!active.has(key), `${key} is already being processed`);
        active.add(key);
        parallel += 1;
        maxParallel = Math.max(maxParallel, parallel);
        await new Promise<void>((resolve) => releases.push(resolve));
        parallel -= 1;
        active.delete(key);
      },
      { onError: (error) => assert.fail(String(error)) },
    );
    queue.add('a');
    queue.add('b');
    await settle();
    queue.add('a');
    await settle();
    assert.equal(releases.length, 2);
    for (const release of releases.splice(0)) release();
    await settle();
    assert.equal(releases.length, 1, 'a runs again after it finished');
    for (const release of releases.splice(0)) release();
    await settle();
    assert.equal(maxParallel, 2);
    await queue.shutDown();
    await running;
  });
});
