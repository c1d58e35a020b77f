import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PolicyValueError } from './errors.ts';
import { resolveMaxUnavailable } from './max-unavailable.ts';

describe('resolveMaxUnavailable', () => {
  it('takes a count as it is, even above the number of nodes', () => {
    assert.equal(resolveMaxUnavailable(1, 50), 1);
    assert.equal(resolveMaxUnavailable(5, 50), 5);
    assert.equal(resolveMaxUnavailable(5, 3), 5);
  });

  it('rounds a percentage of the nodes down', () => {
    assert.equal(resolveMaxUnavailable('10%', 50), 5);
    assert.equal(resolveMaxUnavailable('10%', 1000), 100);
    assert.equal(resolveMaxUnavailable('25%', 10), 2);
    assert.equal(resolveMaxUnavailable('33%', 1000), 330);
    assert.equal(resolveMaxUnavailable('100%', 7), 7);
  });

  it('never resolves a percentage below one node', () => {
    assert.equal(resolveMaxUnavailable('10%', 5), 1);
    assert.equal(resolveMaxUnavailable('1%', 1), 1);
    assert.equal(resolveMaxUnavailable('50%', 0), 1);
  });

  it('refuses values the CRD refuses, with a typed error', () => {
    for (const value of [0, -1, 1.5, '0%', '101%', '5', '12.5%', ' 5%']) {
      assert.throws(() => resolveMaxUnavailable(value, 10), PolicyValueError, String(value));
    }
    assert.throws(() => resolveMaxUnavailable(1, -1), PolicyValueError);
    assert.throws(() => resolveMaxUnavailable(1, 2.5), PolicyValueError);
  });
});
