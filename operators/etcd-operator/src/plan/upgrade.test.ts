import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareVersions, upgradePath } from './upgrade.ts';

describe('rule 9: upgrade paths', () => {
  it('allows a patch release and one minor version, as the cached etcd releases go', () => {
    assert.deepEqual(upgradePath('3.6.15', '3.6.16'), { kind: 'patch', from: '3.6.15', to: '3.6.16' });
    assert.deepEqual(upgradePath('3.5.36', '3.6.15'), { kind: 'minor', from: '3.5.36', to: '3.6.15' });
    assert.deepEqual(upgradePath('3.5.36', '3.6.16'), { kind: 'minor', from: '3.5.36', to: '3.6.16' });
    assert.deepEqual(upgradePath('3.6.16', '3.6.16'), { kind: 'none' });
  });

  it('refuses a downgrade, two minor versions and another major, naming the allowed paths', () => {
    for (const [from, to, why] of [
      ['3.6.16', '3.6.15', 'a downgrade'],
      ['3.6.15', '3.5.36', 'a downgrade'],
      ['3.4.30', '3.6.16', '2 minor versions at once'],
      ['3.6.16', '4.0.0', 'another major version'],
    ] as const) {
      const path = upgradePath(from, to);
      assert.equal(path.kind, 'refused', `${from} → ${to}`);
      assert.ok(path.kind === 'refused' && path.message.includes(why), path.kind === 'refused' ? path.message : '');
    }
    const path = upgradePath('3.5.36', '3.7.0');
    assert.equal(
      path.kind === 'refused' && path.message,
      '3.5.36 → 3.7.0 is refused (2 minor versions at once); allowed from 3.5.36: a patch release 3.5.x (x > 36) or the next minor version 3.6.x',
    );
  });

  it('orders versions numerically, not as text', () => {
    assert.ok(compareVersions('3.6.9', '3.6.16') < 0);
    assert.ok(compareVersions('3.10.0', '3.9.99') > 0);
    assert.equal(compareVersions('3.6.16', '3.6.16'), 0);
  });
});
