import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aCatalog, aRelease, type CatalogOptions } from '../testing/builders.ts';
import { decideCheck, withinOfficeHours, type CheckInput, type RolloutStats } from './decide.ts';
import type { MachineView } from './machine.ts';
import { parseCatalog } from './model.ts';

const now = new Date('2026-12-02T10:00:00Z'); // a Wednesday
const quiet: RolloutStats = { inProgress: 0, timedOut: 0, grantedInPeriod: 0, completed: 0, failed: 0 };

function check(
  options: CatalogOptions & {
    machine?: MachineView;
    version?: string;
    rollout?: Partial<RolloutStats>;
    askedTrack?: string;
  } = {},
): ReturnType<typeof decideCheck> {
  const catalog = parseCatalog(aCatalog(options));
  const group = catalog.groupByTrack.get('stable');
  const input: CheckInput = {
    machineId: 'm1',
    version: options.version ?? '3374.2.0',
    group: options.askedTrack === undefined ? group : catalog.groupByTrack.get(options.askedTrack),
    channel: catalog.channelByName.get('stable'),
    machine: options.machine,
    now,
    ...(options.rollout === undefined ? {} : { rollout: { ...quiet, ...options.rollout } }),
  };
  return decideCheck(input);
}

const held = (reason: string) => ({ kind: 'hold', reason, targetVersion: '3374.2.1' });

describe('decideCheck', () => {
  it('asks for the rollout stats before it grants, and grants under every limit', () => {
    assert.equal(check().kind, 'needs-rollout');
    const decision = check({ rollout: {} });
    assert.equal(decision.kind, 'grant');
  });

  it('never offers the running version or an older one', () => {
    assert.deepEqual(check({ version: '3374.2.1', rollout: {} }), { kind: 'noupdate', reason: 'up-to-date' });
    assert.deepEqual(check({ version: '3400.0.0', rollout: {} }), { kind: 'noupdate', reason: 'up-to-date' });
  });

  it('answers noupdate for a channel without a release', () => {
    assert.deepEqual(check({ release: undefined }), { kind: 'noupdate', reason: 'no-release' });
  });

  it('holds an unknown group, an absurd version and a machine without an ID', () => {
    assert.deepEqual(check({ askedTrack: 'nope' }), {
      kind: 'hold',
      reason: 'unknown-group',
      targetVersion: undefined,
    });
    assert.deepEqual(check({ version: 'latest' }), {
      kind: 'hold',
      reason: 'invalid-version',
      targetVersion: undefined,
    });
    const catalog = parseCatalog(aCatalog());
    assert.deepEqual(
      decideCheck({
        machineId: '',
        version: '1.0.0',
        group: catalog.groupByTrack.get('stable'),
        channel: catalog.channelByName.get('stable'),
        machine: undefined,
        now,
      }),
      { kind: 'hold', reason: 'missing-machine-id', targetVersion: undefined },
    );
  });

  it('holds when updates are disabled', () => {
    assert.deepEqual(check({ policy: { enabled: false } }), held('updates-disabled'));
  });

  it('holds at the concurrency limit, the period limit and the timed-out limit', () => {
    assert.deepEqual(check({ policy: { maxInProgress: 2 }, rollout: { inProgress: 2 } }), held('concurrency-limit'));
    assert.equal(check({ policy: { maxInProgress: 2 }, rollout: { inProgress: 1 } }).kind, 'grant');
    assert.deepEqual(
      check({ policy: { maxUpdatesPerPeriod: 3 }, rollout: { grantedInPeriod: 3 } }),
      held('period-limit'),
    );
    assert.deepEqual(check({ policy: { maxTimedOut: 1 }, rollout: { timedOut: 1 } }), held('timed-out-limit'));
  });

  it('in safe mode, lets one machine go first and the rest only after it completes', () => {
    const safe = { policy: { safeMode: true, maxInProgress: 10 } };
    assert.equal(check({ ...safe, rollout: {} }).kind, 'grant');
    assert.deepEqual(check({ ...safe, rollout: { inProgress: 1 } }), held('safe-mode'));
    assert.deepEqual(check({ ...safe, rollout: { failed: 1 } }), held('safe-mode'));
    assert.equal(check({ ...safe, rollout: { inProgress: 1, completed: 1 } }).kind, 'grant');
  });

  it('gives a machine in progress the same grant again without counting it', () => {
    const machine: MachineView = {
      state: 'downloading',
      targetVersion: '3374.2.1',
      grantedAt: new Date(now.getTime() - 60_000),
    };
    const decision = check({ machine, policy: { maxInProgress: 1 } });
    assert.equal(decision.kind === 'grant' && decision.regrant, true);
  });

  it('does not renew a grant that timed out', () => {
    const machine: MachineView = {
      state: 'granted',
      targetVersion: '3374.2.1',
      grantedAt: new Date(now.getTime() - 7200_000),
    };
    assert.equal(check({ machine, policy: { updateTimeoutSeconds: 3600 } }).kind, 'needs-rollout');
  });

  it('never offers again the release a machine failed or rolled back', () => {
    const machine: MachineView = { state: 'error', targetVersion: '3374.2.1', grantedAt: now };
    assert.deepEqual(check({ machine, rollout: {} }), held('failed-before'));
    assert.equal(check({ machine, release: aRelease({ version: '3374.2.2' }), rollout: {} }).kind, 'grant');
  });

  it('holds outside office hours', () => {
    const officeHours = {
      timeZone: 'America/New_York',
      start: '09:00',
      end: '17:00',
      days: ['Mon' as const, 'Tue' as const, 'Wed' as const],
    };
    // 10:00 UTC is 05:00 in New York.
    assert.deepEqual(check({ policy: { officeHours } }), held('outside-office-hours'));
  });
});

describe('withinOfficeHours', () => {
  const hours = (start: string, end: string, days: ('Sun' | 'Mon' | 'Tue' | 'Wed' | 'Thu' | 'Fri' | 'Sat')[]) => ({
    timeZone: 'Asia/Tokyo',
    start,
    end,
    days,
  });
  // 10:00 UTC on Wednesday is 19:00 on Wednesday in Tokyo.
  it('reads the clock and the weekday in the zone', () => {
    assert.equal(withinOfficeHours(hours('18:00', '20:00', ['Wed']), now), true);
    assert.equal(withinOfficeHours(hours('18:00', '20:00', ['Tue']), now), false);
    assert.equal(withinOfficeHours(hours('09:00', '17:00', ['Wed']), now), false);
  });

  it('spans midnight when the end is before the start, and excludes the end', () => {
    assert.equal(withinOfficeHours(hours('22:00', '20:00', ['Wed']), now), true);
    assert.equal(withinOfficeHours(hours('20:00', '06:00', ['Wed']), now), false);
    assert.equal(withinOfficeHours(hours('18:00', '19:00', ['Wed']), now), false);
  });
});
