import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiGroupAnswer, ApiMachineAnswer, ApiTimelineEntry } from '@strata/update-server/answers';
import { groupState, machineState, policySummary, rolloutProgress, timelineRows } from './update-server-rows.ts';

const POLICY: ApiGroupAnswer['policy'] = {
  enabled: true,
  safeMode: false,
  maxUpdatesPerPeriod: 10,
  periodSeconds: 3600,
  maxInProgress: 5,
  maxTimedOut: 1,
  updateTimeoutSeconds: 3600,
};

function aGroup(overrides: Partial<ApiGroupAnswer> = {}): ApiGroupAnswer {
  return {
    name: 'workers',
    track: 'stable',
    channel: 'stable',
    paused: false,
    resolved: { status: 'True', reason: 'Resolved', message: '' },
    policy: POLICY,
    machines: 0,
    versions: [],
    rollout: null,
    ...overrides,
  };
}

function aMachine(overrides: Partial<ApiMachineAnswer> = {}): ApiMachineAnswer {
  return {
    machineId: 'm1',
    alias: '',
    track: 'stable',
    currentVersion: '4230.2.3',
    targetVersion: null,
    state: null,
    holdReason: null,
    lastErrorCode: null,
    grantedAt: null,
    lastCheckAt: '2026-12-05T10:00:00.000Z',
    ...overrides,
  };
}

const anEntry = (at: string, state: ApiTimelineEntry['state'], detail = ''): ApiTimelineEntry => ({
  at,
  state,
  version: '4230.2.4',
  detail,
});

describe('rolloutProgress', () => {
  it('counts the machines on the channel version, with what is under way, failed and timed out', () => {
    const progress = rolloutProgress(
      aGroup({
        machines: 5,
        versions: [
          { version: '4230.2.3', machines: 3 },
          { version: '4230.2.4', machines: 2 },
        ],
        rollout: { version: '4230.2.4', inProgress: 1, timedOut: 1, completed: 2, failed: 1, grantedInPeriod: 4 },
      }),
    );
    assert.deepEqual(progress, {
      version: '4230.2.4',
      onVersion: 2,
      machines: 5,
      text: '2 of 5 machines on 4230.2.4; 1 in progress, 1 failed, 1 timed out',
    });
  });

  it('says so when no machine runs it yet, and when the channel offers nothing', () => {
    const none = rolloutProgress(
      aGroup({
        machines: 1,
        versions: [{ version: '4230.2.3', machines: 1 }],
        rollout: { version: '4230.2.4', inProgress: 0, timedOut: 0, completed: 0, failed: 0, grantedInPeriod: 0 },
      }),
    );
    assert.equal(none.text, '0 of 1 machine on 4230.2.4');
    assert.deepEqual(rolloutProgress(aGroup({ machines: 3 })), {
      version: null,
      onVersion: 0,
      machines: 3,
      text: 'No release to roll out',
    });
  });
});

describe('policySummary and groupState', () => {
  it('puts the limits in a line, safe mode and office hours only when set', () => {
    assert.equal(policySummary(POLICY), '5 at a time, 10 updates per 3600 s, stops at 1 timed out (after 3600 s)');
    assert.equal(
      policySummary({
        ...POLICY,
        maxUpdatesPerPeriod: 1,
        safeMode: true,
        officeHours: { timeZone: 'UTC', days: ['Mon'], start: '09:00', end: '17:00' },
      }),
      '5 at a time, 1 update per 3600 s, stops at 1 timed out (after 3600 s), safe mode (one machine first), office hours only',
    );
  });

  it('says paused, and an unresolved reference in the server words', () => {
    assert.equal(groupState(aGroup()), 'Granting updates');
    assert.equal(groupState(aGroup({ paused: true })), 'Paused');
    assert.equal(
      groupState(
        aGroup({
          paused: true,
          resolved: { status: 'False', reason: 'UnknownChannel', message: 'spec.channel: no UpdateChannel edge' },
        }),
      ),
      'Paused; Not resolved (UnknownChannel): spec.channel: no UpdateChannel edge',
    );
  });
});

describe('timelineRows', () => {
  it('lists the events oldest first, keeping the server order for equal times, with reasons and codes', () => {
    const rows = timelineRows([
      anEntry('2026-12-05T10:00:03.000Z', 'complete'),
      anEntry('2026-12-05T10:00:00.000Z', 'granted'),
      anEntry('2026-12-05T10:00:01.000Z', 'downloading'),
      anEntry('2026-12-05T10:00:01.000Z', 'downloaded'),
      anEntry('2026-12-05T10:00:02.000Z', 'installed'),
      anEntry('2026-12-05T09:59:00.000Z', 'on-hold', 'maxInProgress'),
      anEntry('2026-12-05T09:58:00.000Z', 'error', '44 rollback'),
    ]);
    assert.deepEqual(
      rows.map((row) => row.event),
      [
        'Error (4230.2.4): 44 rollback',
        'On hold (4230.2.4): maxInProgress',
        'Update granted (4230.2.4)',
        'Downloading (4230.2.4)',
        'Downloaded (4230.2.4)',
        'Installed, reboot pending (4230.2.4)',
        'Complete (4230.2.4)',
      ],
    );
    assert.equal(new Set(rows.map((row) => row.key)).size, rows.length, 'keys are unique');
  });

  it('is empty for a machine with no events', () => {
    assert.deepEqual(timelineRows([]), []);
  });
});

describe('machineState', () => {
  it('words each state with its version, reason or error code', () => {
    assert.equal(machineState(aMachine()), 'On 4230.2.3, never granted');
    assert.equal(machineState(aMachine({ state: 'granted', targetVersion: '4230.2.4' })), 'Update granted (4230.2.4)');
    assert.equal(
      machineState(aMachine({ state: 'on-hold', holdReason: 'concurrency-limit' })),
      'On hold: concurrency-limit (on 4230.2.3)',
    );
    assert.equal(
      machineState(aMachine({ state: 'error', targetVersion: '4230.2.4', lastErrorCode: 44 })),
      'Error (4230.2.4): code 44',
    );
    assert.equal(
      machineState(aMachine({ state: 'complete', currentVersion: '4230.2.4', targetVersion: '4230.2.4' })),
      'Complete (4230.2.4)',
    );
  });
});
