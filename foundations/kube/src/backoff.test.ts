import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backoff, BackoffConfigError } from './backoff.ts';

describe('Backoff', () => {
  it('doubles from the base delay up to the cap, and starts over when reset', () => {
    const backoff = new Backoff({ baseDelayMs: 200, maxDelayMs: 1_000 });
    assert.deepEqual(
      [1, 2, 3, 4, 5].map(() => backoff.next()),
      [200, 400, 800, 1_000, 1_000],
    );
    assert.equal(backoff.failures, 5);
    backoff.reset();
    assert.equal(backoff.failures, 0);
    assert.equal(backoff.next(), 200);
  });

  it('stays at the cap however many failures there were', () => {
    const backoff = new Backoff({ baseDelayMs: 5, maxDelayMs: 1_000_000 });
    for (let i = 0; i < 2_000; i += 1) backoff.next();
    assert.equal(backoff.next(), 1_000_000);
  });

  // The kubelet's crash-loop back-off (platforms/local KUBELET_BACK_OFF).
  it('waits 10 s, doubling up to 5 min, and starts over after a long run', () => {
    const backoff = new Backoff({ baseDelayMs: 10_000, maxDelayMs: 300_000, resetAfterMs: 600_000 });
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7].map(() => backoff.next(1000)),
      [10, 20, 40, 80, 160, 300, 300].map((s) => s * 1000),
    );
    assert.equal(backoff.next(10 * 60 * 1000), 10_000);
    assert.equal(backoff.failures, 1);
    assert.equal(backoff.next(0), 20_000);
  });

  it('never resets by run time without resetAfterMs', () => {
    const backoff = new Backoff({ baseDelayMs: 1, maxDelayMs: 100 });
    backoff.next();
    assert.equal(backoff.next(Number.MAX_SAFE_INTEGER), 2);
  });

  it('rejects nonsense', () => {
    assert.throws(() => new Backoff({ baseDelayMs: 0, maxDelayMs: 10 }), BackoffConfigError);
    assert.throws(() => new Backoff({ baseDelayMs: 10, maxDelayMs: 5 }), BackoffConfigError);
    assert.throws(() => new Backoff({ baseDelayMs: Number.NaN, maxDelayMs: 5 }), BackoffConfigError);
    assert.throws(() => new Backoff({ baseDelayMs: 1, maxDelayMs: 5, resetAfterMs: 0 }), BackoffConfigError);
  });
});
