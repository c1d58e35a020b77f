import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RefusalEventLimiter, type RefusalEventLimits } from './refusal-events.ts';

const LIMITS: RefusalEventLimits = { perKeyIntervalMs: 60_000, burst: 3, refillIntervalMs: 10_000 };

function limiterAt(start = 0): { limiter: RefusalEventLimiter; advance: (ms: number) => void } {
  let now = start;
  return { limiter: new RefusalEventLimiter(LIMITS, () => now), advance: (ms) => (now += ms) };
}

describe('RefusalEventLimiter', () => {
  it('records one Event per node, reason and source in an interval', () => {
    const { limiter, advance } = limiterAt();
    assert.equal(limiter.allow('node-a|wrong_source_address|10.0.0.9'), true);
    assert.equal(limiter.allow('node-a|wrong_source_address|10.0.0.9'), false);
    advance(59_999);
    assert.equal(limiter.allow('node-a|wrong_source_address|10.0.0.9'), false);
    advance(1);
    assert.equal(limiter.allow('node-a|wrong_source_address|10.0.0.9'), true);
  });

  it('bounds all Events together: a burst, then one per refill interval', () => {
    const { limiter, advance } = limiterAt();
    const allowed = Array.from({ length: 100 }, (_, i) => limiter.allow(`node-${i}|not_zincati_node|127.0.0.1`));
    assert.equal(allowed.filter(Boolean).length, LIMITS.burst, 'a flood of distinct keys records only the burst');
    advance(9_999);
    assert.equal(limiter.allow('fresh-1'), false);
    advance(1);
    assert.equal(limiter.allow('fresh-1'), true);
    assert.equal(limiter.allow('fresh-2'), false);
    advance(10 * LIMITS.refillIntervalMs);
    const refilled = Array.from({ length: 10 }, (_, i) => limiter.allow(`later-${i}`));
    assert.equal(refilled.filter(Boolean).length, LIMITS.burst, 'the bucket never holds more than the burst');
  });
});
