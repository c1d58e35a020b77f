import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aPolicy, aRebootWindow } from '../testing/index.ts';
import { rolloutPolicyOf } from './rollout-policy.ts';

describe('rolloutPolicyOf', () => {
  it('fills in the defaults of a policy that says nothing', () => {
    const view = rolloutPolicyOf(aPolicy({ name: 'all' }));
    assert.equal(view.name, 'all');
    assert.equal(view.budgetFor(10), 1);
    assert.equal(view.selects({ anything: 'at-all' }), true);
    assert.deepEqual(view.windowAt(Date.now()), { open: true });
    assert.equal(view.rebootTimeoutMs, 30 * 60_000);
    assert.equal(view.onRebootTimeout, 'HoldSlot');
    assert.equal(view.paused, false);
  });

  it('binds the selector, the percentage budget and the hooks', () => {
    const view = rolloutPolicyOf(
      aPolicy({
        spec: {
          nodeSelector: { matchLabels: { pool: 'workers' } },
          maxUnavailable: '25%',
          hooks: { beforeReboot: ['example.com/ready'] },
          rebootTimeout: { duration: '1h30m', onTimeout: 'ReleaseSlot' },
        },
      }),
    );
    assert.equal(view.selects({ pool: 'workers' }), true);
    assert.equal(view.selects({ pool: 'infra' }), false);
    assert.equal(view.budgetFor(10), 2);
    assert.equal(view.budgetFor(2), 1);
    assert.deepEqual(view.beforeRebootHooks, ['example.com/ready']);
    assert.equal(view.rebootTimeoutMs, 90 * 60_000);
    assert.equal(view.onRebootTimeout, 'ReleaseSlot');
  });

  it('reports when a closed window opens and when an open one closes', () => {
    const view = rolloutPolicyOf(
      aPolicy({
        spec: { rebootWindows: [aRebootWindow({ days: ['Sat'], start: '02:00', duration: '4h', timeZone: 'UTC' })] },
      }),
    );
    const friday = Date.parse('2025-03-14T12:00:00Z');
    const saturdayOpen = Date.parse('2025-03-15T02:00:00Z');
    assert.deepEqual(view.windowAt(friday), { open: false, nextChangeAt: saturdayOpen, nextOpenAt: saturdayOpen });
    assert.deepEqual(view.windowAt(saturdayOpen + 60_000), {
      open: true,
      nextChangeAt: Date.parse('2025-03-15T06:00:00Z'),
    });
  });
});
