import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { channelStatus, groupStatus, MAX_VERSIONS_IN_STATUS, statusChanged } from './status.ts';
import type { Resolved } from './resolve-catalog.ts';

const t0 = new Date('2026-12-04T10:00:00Z');
const t1 = new Date('2026-12-04T11:00:00Z');
const ok: Resolved = { status: 'True', reason: 'Resolved', message: 'every reference resolves' };
const bad: Resolved = { status: 'False', reason: 'UnknownChannel', message: 'spec.channel: …' };

describe('update resources status', () => {
  it('moves lastTransitionTime only when the condition status changes', () => {
    const first = channelStatus({ resolved: ok, version: '1.0.0', previous: undefined, generation: 1, now: t0 });
    const same = channelStatus({ resolved: ok, version: '1.0.0', previous: first, generation: 2, now: t1 });
    assert.equal(same.conditions?.[0]?.lastTransitionTime, t0.toISOString());
    assert.equal(same.observedGeneration, 2);
    const flipped = channelStatus({ resolved: bad, version: undefined, previous: same, generation: 3, now: t1 });
    assert.equal(flipped.conditions?.[0]?.lastTransitionTime, t1.toISOString());
    assert.equal(flipped.version, undefined);
  });

  it('counts a group’s machines and keeps only the most common versions', () => {
    const versions = Array.from({ length: MAX_VERSIONS_IN_STATUS + 5 }, (_, index) => ({
      version: `1.0.${index}`,
      machines: 2,
    }));
    const status = groupStatus({
      resolved: ok,
      versions,
      rollout: undefined,
      previous: undefined,
      generation: 1,
      now: t0,
    });
    assert.equal(status.machines, 2 * (MAX_VERSIONS_IN_STATUS + 5));
    assert.equal(status.versions?.length, MAX_VERSIONS_IN_STATUS);
    assert.equal(status.rollout, undefined);
  });

  it('sees no change in a status that differs only in key order', () => {
    assert.equal(statusChanged({ a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 }), false);
    assert.equal(statusChanged({ a: 1 }, { a: 2 }), true);
    assert.equal(statusChanged(undefined, { a: 1 }), true);
  });
});
