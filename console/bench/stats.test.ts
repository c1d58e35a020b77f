import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { distribution } from './stats.ts';

describe('distribution', () => {
  it('takes nearest-rank percentiles of unsorted values', () => {
    const values = Array.from({ length: 100 }, (_, index) => 100 - index);
    assert.deepEqual(distribution(values), { count: 100, p50: 50, p95: 95, max: 100 });
  });

  it('answers NaN for no measurement rather than a number that was never measured', () => {
    const none = distribution([]);
    assert.equal(none.count, 0);
    assert.ok(Number.isNaN(none.p50) && Number.isNaN(none.p95) && Number.isNaN(none.max));
  });
});
