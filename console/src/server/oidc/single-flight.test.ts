import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SingleFlight } from './single-flight.ts';

/** A task that counts its runs and settles when the test says. */
function controlledTask() {
  let runs = 0;
  let settle: { resolve: (value: string) => void; reject: (error: Error) => void } | undefined;
  return {
    get runs() {
      return runs;
    },
    task: () => {
      runs += 1;
      return new Promise<string>((resolve, reject) => {
        settle = { resolve, reject };
      });
    },
    resolve: (value: string) => settle?.resolve(value),
    reject: (error: Error) => settle?.reject(error),
  };
}

describe('SingleFlight', () => {
  it('runs one task for concurrent callers of a key, and hands late callers its result within the grace', async () => {
    let now = 0;
    const flights = new SingleFlight<string>(1_000, () => now);
    const refresh = controlledTask();
    const first = flights.run('session-a', refresh.task);
    const second = flights.run('session-a', refresh.task);
    refresh.resolve('renewed');
    assert.deepEqual(await Promise.all([first, second]), ['renewed', 'renewed']);
    now = 900;
    assert.equal(await flights.run('session-a', refresh.task), 'renewed');
    assert.equal(refresh.runs, 1);
    now = 2_000;
    const again = flights.run('session-a', refresh.task);
    assert.equal(refresh.runs, 2, 'after the grace the key runs again');
    refresh.resolve('renewed again');
    assert.equal(await again, 'renewed again');
  });

  it('keeps keys apart', async () => {
    const flights = new SingleFlight<string>(1_000);
    const a = controlledTask();
    const b = controlledTask();
    const first = flights.run('a', a.task);
    const second = flights.run('b', b.task);
    a.resolve('a');
    b.resolve('b');
    assert.deepEqual(await Promise.all([first, second]), ['a', 'b']);
    assert.equal(a.runs + b.runs, 2);
  });

  it('hands a failure to the callers waiting on it, and forgets it so the next caller tries again', async () => {
    const flights = new SingleFlight<string>(60_000);
    const refresh = controlledTask();
    const first = flights.run('k', refresh.task);
    const second = flights.run('k', refresh.task);
    refresh.reject(new Error('invalid_grant'));
    await assert.rejects(first, /invalid_grant/);
    await assert.rejects(second, /invalid_grant/);
    assert.equal(flights.size, 0);
    const retry = flights.run('k', refresh.task);
    refresh.resolve('ok');
    assert.equal(await retry, 'ok');
    assert.equal(refresh.runs, 2);
  });
});
