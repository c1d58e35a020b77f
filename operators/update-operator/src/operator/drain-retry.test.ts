import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DRAIN_RETRY_JITTER, drainRetryAt, drainRetryDelayMs, drainRetryDraw } from './drain-retry.ts';
import { MINUTE, T0 } from './test-fixtures.ts';

const SECOND = 1000;
const schedule = (failures: number, maxDelayMs: number, draw: number): number[] =>
  Array.from({ length: failures }, (_, index) => drainRetryDelayMs(index + 1, maxDelayMs, draw));

describe('drainRetryDelayMs', () => {
  it('doubles from one minute with each failure in a row, up to the policy cap', () => {
    assert.deepEqual(
      schedule(8, 30 * MINUTE, 0),
      [1, 2, 4, 8, 16, 30, 30, 30].map((minutes) => minutes * MINUTE),
    );
  });

  it('takes at most a fifth off each wait as jitter, so the cap holds with any draw', () => {
    for (const draw of [0.25, 0.5, 0.999_999]) {
      const waits = schedule(8, 30 * MINUTE, draw);
      const full = schedule(8, 30 * MINUTE, 0);
      waits.forEach((wait, index) => {
        const ceiling = full[index] ?? Number.NaN;
        assert.equal(wait, Math.round(ceiling * (1 - DRAIN_RETRY_JITTER * draw)), `failure ${index + 1}, draw ${draw}`);
        assert.ok(wait <= 30 * MINUTE && wait > ceiling * (1 - DRAIN_RETRY_JITTER) - 1);
      });
    }
  });

  it('waits the cap itself from the first failure when the cap is below one minute', () => {
    assert.deepEqual(schedule(3, 30 * SECOND, 0), [30 * SECOND, 30 * SECOND, 30 * SECOND]);
  });

  it('stays at the cap for a count far past the doublings', () => {
    assert.equal(drainRetryDelayMs(1_000_000, 2 * MINUTE, 0), 2 * MINUTE);
  });
});

describe('drainRetryDraw', () => {
  it('gives one failure the same draw on every pass and leader, and spreads the draws of many nodes', () => {
    assert.equal(drainRetryDraw('node-a', T0), drainRetryDraw('node-a', T0));
    assert.notEqual(drainRetryDraw('node-a', T0), drainRetryDraw('node-a', T0 + 1));
    const draws = Array.from({ length: 200 }, (_, index) => drainRetryDraw(`node-${index}`, T0));
    for (const draw of draws) assert.ok(draw >= 0 && draw < 1, String(draw));
    // Nodes whose drains failed at one instant come back spread over the jitter, not together.
    assert.ok(Math.min(...draws) < 0.1 && Math.max(...draws) > 0.9);
    const retries = new Set(draws.map((_, index) => drainRetryAt(`node-${index}`, T0, 1, 30 * MINUTE)));
    assert.ok(retries.size > 150, `${retries.size} distinct retry instants`);
  });
});
