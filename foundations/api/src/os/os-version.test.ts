import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareVersions, isNewer, parseVersion } from './os-version.ts';

describe('versions', () => {
  it('orders by the numbers, not the text', () => {
    assert.equal(compareVersions('3374.10.0', '3374.9.9'), 1);
    assert.equal(compareVersions('3374.2.0', '3374.2.0'), 0);
    assert.equal(compareVersions('3033.2.4', '3374.2.0'), -1);
  });

  it('treats a missing part as zero and a build suffix as no difference', () => {
    assert.equal(compareVersions('3374.2', '3374.2.0'), 0);
    assert.equal(compareVersions('3340.0.0+nightly-20220823-2100', '3340.0.0'), 0);
  });

  it('offers only a strictly newer version, never an equal or older one', () => {
    assert.equal(isNewer('3374.2.1', '3374.2.0'), true);
    assert.equal(isNewer('3374.2.0', '3374.2.0'), false);
    assert.equal(isNewer('3374.2.0', '3374.2.1'), false);
    assert.equal(isNewer('3340.0.0+b', '3340.0.0+a'), false);
  });

  it('refuses what is not a version, and never calls it newer', () => {
    for (const absurd of [
      '',
      'latest',
      '1.2.3.4.5',
      '99999999999.0.0',
      '-1.0.0',
      '1..2',
      '1.2.3 ',
      `1.2.3+${'x'.repeat(80)}`,
    ]) {
      assert.equal(parseVersion(absurd), undefined, absurd);
      assert.equal(isNewer('3374.2.1', absurd), false, absurd);
      assert.equal(isNewer(absurd, '1.0.0'), false, absurd);
    }
  });
});
