import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor, WaitTimeoutError } from './wait-for.ts';

describe('waitFor', () => {
  it('resolves with the first value that is not undefined, false and 0 included', async () => {
    let calls = 0;
    assert.equal(
      await waitFor('the third call', () => (++calls === 3 ? 'done' : undefined), { intervalMs: 1 }),
      'done',
    );
    assert.equal(calls, 3);
    assert.equal(await waitFor('false', () => false), false);
    assert.equal(await waitFor('zero', async () => Promise.resolve(0)), 0);
  });

  it('fails naming what it waited for after the time-out (given as a number or an option)', async () => {
    for (const options of [30, { timeoutMs: 30, intervalMs: 5 }]) {
      const started = Date.now();
      await assert.rejects(
        waitFor('a value that never comes', () => undefined, options),
        (error: unknown) => {
          assert.ok(error instanceof WaitTimeoutError);
          assert.equal(error.message, 'timed out after 30 ms waiting for a value that never comes');
          assert.deepEqual(error.context, { what: 'a value that never comes', timeoutMs: 30 });
          return true;
        },
      );
      assert.ok(Date.now() - started >= 30);
    }
  });

  it('fails at once when the probe throws, unless told to retry errors', async () => {
    let calls = 0;
    const failing = () => {
      calls += 1;
      throw new Error('connection refused');
    };
    await assert.rejects(waitFor('a failing probe', failing), /connection refused/);
    assert.equal(calls, 1);

    let attempts = 0;
    const flaky = () => {
      attempts += 1;
      if (attempts < 3) throw new Error('connection refused');
      return 'up';
    };
    assert.equal(await waitFor('a probe that fails twice', flaky, { intervalMs: 1, retryErrors: true }), 'up');

    await assert.rejects(
      waitFor('a probe that always fails', failing, { timeoutMs: 20, intervalMs: 5, retryErrors: true }),
      (error: unknown) => {
        assert.ok(error instanceof WaitTimeoutError);
        assert.match(
          error.message,
          /waiting for a probe that always fails \(the last probe failed: connection refused\)$/,
        );
        assert.ok(error.cause instanceof Error);
        return true;
      },
    );
  });
});
