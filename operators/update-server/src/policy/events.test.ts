import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OmahaEvent } from '@strata/omaha';
import { interpretEvent } from './events.ts';

const event = (type: number, result: number, extra: Partial<OmahaEvent> = {}): OmahaEvent => ({
  type,
  result,
  errorCode: undefined,
  previousVersion: '',
  ...extra,
});

describe('interpretEvent', () => {
  it('reads download started, download finished and installed', () => {
    assert.deepEqual(interpretEvent(event(13, 1), '3374.2.0'), { state: 'downloading' });
    assert.deepEqual(interpretEvent(event(14, 1), '3374.2.0'), { state: 'downloaded' });
    assert.deepEqual(interpretEvent(event(3, 1), '3374.2.0'), { state: 'installed' });
  });

  it('reads 3/2 as complete only when the previous version is set and differs', () => {
    assert.deepEqual(interpretEvent(event(3, 2, { previousVersion: '3374.2.0' }), '3374.2.1'), { state: 'complete' });
    assert.equal(interpretEvent(event(3, 2), '3374.2.1'), undefined);
    assert.equal(interpretEvent(event(3, 2, { previousVersion: '3374.2.1' }), '3374.2.1'), undefined);
  });

  it('reads 3/0 as an error with the base code, and 44 as a rollback whatever the flags', () => {
    assert.deepEqual(interpretEvent(event(3, 0, { errorCode: -2147483604 }), '3374.2.0'), {
      state: 'error',
      errorCode: 44,
      rollback: true,
    });
    assert.deepEqual(interpretEvent(event(3, 0, { errorCode: 0x40000000 | 20 }), '3374.2.0'), {
      state: 'error',
      errorCode: 20,
      rollback: false,
    });
  });

  it('ignores events that say nothing new', () => {
    assert.equal(interpretEvent(event(800, 1), '3374.2.0'), undefined);
    assert.equal(interpretEvent(event(13, 7), '3374.2.0'), undefined);
  });
});
