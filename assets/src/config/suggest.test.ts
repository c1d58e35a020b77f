import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closestMatch, editDistance } from './suggest.ts';

describe('did-you-mean suggestions', () => {
  it('counts edits, with a swap of neighbours as one', () => {
    assert.deepEqual(
      [
        editDistance('podCidr', 'podCidr'),
        editDistance('kitten', 'sitting'),
        editDistance('cuont', 'count'),
        editDistance('', 'abc'),
      ],
      [0, 3, 1, 3],
    );
  });

  it('suggests close keys regardless of case, and nothing when nothing is close', () => {
    const keys = ['cni', 'podCidr', 'serviceCidr', 'clusterDomain', 'mtu'];
    assert.equal(closestMatch('podCIDR', keys), 'podCidr');
    assert.equal(closestMatch('servceCidr', keys), 'serviceCidr');
    assert.equal(closestMatch('MTU', keys), 'mtu');
    assert.equal(closestMatch('dns', keys), undefined);
    assert.equal(closestMatch('flannel', keys), undefined);
  });
});
