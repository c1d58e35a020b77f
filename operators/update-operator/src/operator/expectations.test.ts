import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANNOTATIONS, TRUE } from '@strata/api';
import { Expectations, isAtLeast } from './expectations.ts';
import { aNode } from './test-fixtures.ts';

const grant = { annotations: { [ANNOTATIONS.rebootOk]: TRUE } };

describe('Expectations', () => {
  it('keeps a write until the informer shows the node at or past the written resourceVersion', () => {
    const expectations = new Expectations(() => 0);
    expectations.record('a', grant, '100');
    expectations.observe(aNode({ name: 'a', resourceVersion: '99' }));
    assert.equal(expectations.pending().get('a')?.resourceVersion, '100');
    expectations.observe(aNode({ name: 'a', resourceVersion: '100' }));
    assert.equal(expectations.pending().size, 0);
  });

  it('ends an expectation whose values the informer already shows', () => {
    const expectations = new Expectations(() => 0);
    expectations.record('a', grant, undefined);
    expectations.observe(aNode({ name: 'a', resourceVersion: '5', annotations: { [ANNOTATIONS.rebootOk]: TRUE } }));
    assert.equal(expectations.pending().size, 0);
  });

  it('ends at once when the informer showed the write before its answer came', () => {
    const expectations = new Expectations(
      () => 0,
      () => aNode({ name: 'a', resourceVersion: '10' }),
    );
    expectations.record('a', grant, '10');
    assert.equal(expectations.pending().size, 0);
  });

  it('joins a second write to the first and keeps the newest resourceVersion', () => {
    const expectations = new Expectations(() => 0);
    expectations.record('a', grant, '10');
    expectations.record('a', { labels: { x: 'y' } }, '12');
    const pending = expectations.pending().get('a');
    assert.deepEqual(pending?.patch.annotations, grant.annotations);
    assert.deepEqual(pending?.patch.labels, { x: 'y' });
    assert.equal(pending?.resourceVersion, '12');
  });

  it('drops a write that the informer never showed within the time to live', () => {
    let now = 0;
    const expectations = new Expectations(
      () => now,
      () => undefined,
      1000,
    );
    expectations.record('a', grant, '10');
    now = 999;
    assert.equal(expectations.pending().size, 1);
    now = 1000;
    assert.equal(expectations.pending().size, 0);
  });
});

describe('isAtLeast', () => {
  it('compares etcd revisions as integers, beyond 2^53, and anything else only for equality', () => {
    assert.equal(isAtLeast('10', '9'), true);
    assert.equal(isAtLeast('9', '10'), false);
    assert.equal(isAtLeast('9007199254740993', '9007199254740992'), true);
    assert.equal(isAtLeast('abc', 'abc'), true);
    assert.equal(isAtLeast('abd', 'abc'), false);
  });
});
