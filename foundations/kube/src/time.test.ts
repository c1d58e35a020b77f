import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rfc3339 } from './time.ts';

describe('rfc3339', () => {
  it('writes UTC with whole seconds, as metav1.Time does', () => {
    assert.equal(rfc3339(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), '2026-01-02T03:04:05Z');
    assert.equal(rfc3339(new Date('2026-07-01T12:00:00.999+02:00')), '2026-07-01T10:00:00Z');
  });

  it('reads back as the same second', () => {
    const time = Date.UTC(2030, 11, 31, 23, 59, 59);
    assert.equal(Date.parse(rfc3339(time)), time);
  });
});
