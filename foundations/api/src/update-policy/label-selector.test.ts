import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { selectorMatches } from './label-selector.ts';

const worker = { 'node-role.kubernetes.io/worker': '', pool: 'blue', zone: 'a' };

describe('selectorMatches', () => {
  it('selects every node with the empty selector, labelled or not', () => {
    assert.equal(selectorMatches({}, worker), true);
    assert.equal(selectorMatches({}, undefined), true);
    assert.equal(selectorMatches({ matchLabels: {}, matchExpressions: [] }, {}), true);
  });

  it('requires every matchLabels entry, empty values included', () => {
    assert.equal(
      selectorMatches({ matchLabels: { pool: 'blue', 'node-role.kubernetes.io/worker': '' } }, worker),
      true,
    );
    assert.equal(selectorMatches({ matchLabels: { pool: 'blue', zone: 'b' } }, worker), false);
    assert.equal(selectorMatches({ matchLabels: { missing: '' } }, worker), false);
  });

  it('applies In, NotIn, Exists and DoesNotExist as Kubernetes does', () => {
    const one = (operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist', key: string, values?: string[]) =>
      selectorMatches({ matchExpressions: [{ key, operator, ...(values ? { values } : {}) }] }, worker);
    assert.equal(one('In', 'zone', ['a', 'b']), true);
    assert.equal(one('In', 'zone', ['c']), false);
    assert.equal(one('In', 'missing', ['a']), false);
    assert.equal(one('NotIn', 'zone', ['c']), true);
    assert.equal(one('NotIn', 'zone', ['a']), false);
    assert.equal(one('NotIn', 'missing', ['a']), true, 'NotIn holds for a missing label');
    assert.equal(one('Exists', 'pool'), true);
    assert.equal(one('Exists', 'missing'), false);
    assert.equal(one('DoesNotExist', 'missing'), true);
    assert.equal(one('DoesNotExist', 'pool'), false);
  });

  it('requires every requirement and every label together', () => {
    const selector = {
      matchLabels: { pool: 'blue' },
      matchExpressions: [
        { key: 'zone', operator: 'In' as const, values: ['a'] },
        { key: 'example.com/canary', operator: 'DoesNotExist' as const },
      ],
    };
    assert.equal(selectorMatches(selector, worker), true);
    assert.equal(selectorMatches(selector, { ...worker, 'example.com/canary': 'true' }), false);
    assert.equal(selectorMatches(selector, { ...worker, pool: 'red' }), false);
  });

  it('does not take inherited object properties for labels', () => {
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'constructor', operator: 'Exists' }] }, {}), false);
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'toString', operator: 'DoesNotExist' }] }, {}), true);
  });
});
