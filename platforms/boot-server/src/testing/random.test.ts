import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { randomOf } from './random.ts';

describe('randomOf', () => {
  it('draws integers in [0, n), floats in [0, 1), and picks from the list', () => {
    fc.assert(
      fc.property(fc.gen(), fc.integer({ min: 1, max: 1000 }), (g, n) => {
        const random = randomOf(g);
        const value = random.int(n);
        assert.ok(Number.isInteger(value) && value >= 0 && value < n);
        const float = random.next();
        assert.ok(float >= 0 && float < 1);
        assert.ok(['a', 'b', 'c'].includes(random.pick(['a', 'b', 'c'])));
      }),
    );
  });

  it('replays the same draws from the same seed', () => {
    const draws = (seed: number): number[] =>
      fc.sample(
        fc.gen().map((g) => Array.from({ length: 5 }, () => randomOf(g).int(1000))),
        { numRuns: 1, seed },
      )[0] ?? [];
    assert.deepEqual(draws(42), draws(42));
  });

  it('refuses what has no answer', () => {
    fc.assert(
      fc.property(fc.gen(), (g) => {
        assert.throws(() => randomOf(g).pick([]), RangeError);
        assert.throws(() => randomOf(g).int(0), RangeError);
      }),
      { numRuns: 1 },
    );
  });
});
