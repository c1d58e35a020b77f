import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Weekday } from '@strata/api';
import { aRebootWindow } from '../testing/index.ts';
import { PolicyValueError } from './errors.ts';
import { windowState, type WindowState } from './reboot-windows.ts';

const EVERY_DAY: Weekday[] = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** The state as ISO strings, so that a failure shows readable instants. */
function stateAt(windows: Parameters<typeof windowState>[0], iso: string): Record<string, string | boolean> {
  const state: WindowState = windowState(windows, new Date(iso));
  return {
    open: state.open,
    ...(state.closesAt ? { closesAt: state.closesAt.toISOString() } : {}),
    ...(state.opensAt ? { opensAt: state.opensAt.toISOString() } : {}),
  };
}

const open = (closesAt?: string) => ({ open: true, ...(closesAt ? { closesAt } : {}) });
const closed = (opensAt: string) => ({ open: false, opensAt });

describe('windowState', () => {
  it('is always open without windows', () => {
    assert.deepEqual(windowState(undefined, new Date()), { open: true });
    assert.deepEqual(windowState([], new Date()), { open: true });
  });

  it('opens at the start (inclusive) and closes at the end (exclusive)', () => {
    const windows = [aRebootWindow({ days: ['Tue'], start: '03:00', duration: '2h', timeZone: 'UTC' })];
    // 24 November 2026 is a Tuesday.
    assert.deepEqual(stateAt(windows, '2026-11-24T02:59:59.999Z'), closed('2026-11-24T03:00:00.000Z'));
    assert.deepEqual(stateAt(windows, '2026-11-24T03:00:00.000Z'), open('2026-11-24T05:00:00.000Z'));
    assert.deepEqual(stateAt(windows, '2026-11-24T04:59:59.999Z'), open('2026-11-24T05:00:00.000Z'));
    assert.deepEqual(stateAt(windows, '2026-11-24T05:00:00.000Z'), closed('2026-12-01T03:00:00.000Z'));
  });

  it('keeps a window open across midnight', () => {
    const windows = [aRebootWindow({ days: ['Mon'], start: '22:00', duration: '4h', timeZone: 'UTC' })];
    assert.deepEqual(stateAt(windows, '2026-11-24T01:00:00Z'), open('2026-11-24T02:00:00.000Z'));
    assert.deepEqual(stateAt(windows, '2026-11-24T02:00:00Z'), closed('2026-11-30T22:00:00.000Z'));
  });

  it('keeps a window open across the end of the week (Sun 23:00 for 3h)', () => {
    const windows = [aRebootWindow({ days: ['Sun'], start: '23:00', duration: '3h', timeZone: 'Europe/Berlin' })];
    // Sunday 22 November 2026, 23:00 CET is 22:00Z; Monday 02:00 CET is 01:00Z.
    assert.deepEqual(stateAt(windows, '2026-11-22T21:59:00Z'), closed('2026-11-22T22:00:00.000Z'));
    assert.deepEqual(stateAt(windows, '2026-11-23T00:30:00Z'), open('2026-11-23T01:00:00.000Z'));
    assert.deepEqual(stateAt(windows, '2026-11-23T01:00:00Z'), closed('2026-11-29T22:00:00.000Z'));
  });

  describe('across daylight-saving changes', () => {
    it('opens a window whose start the clocks skip at the jump, for its full duration (Europe/Berlin)', () => {
      const windows = [aRebootWindow({ days: ['Sun'], start: '02:30', duration: '1h', timeZone: 'Europe/Berlin' })];
      // 29 March 2026: 02:00 CET becomes 03:00 CEST at 01:00Z; 02:30 does not exist.
      assert.deepEqual(stateAt(windows, '2026-03-29T00:59:59Z'), closed('2026-03-29T01:00:00.000Z'));
      assert.deepEqual(stateAt(windows, '2026-03-29T01:00:00Z'), open('2026-03-29T02:00:00.000Z'));
      // The next Sunday, 02:30 CEST is 00:30Z.
      assert.deepEqual(stateAt(windows, '2026-03-29T02:00:00Z'), closed('2026-04-05T00:30:00.000Z'));
    });

    it('opens a window whose start the clocks show twice at the first, and only once (Europe/Berlin)', () => {
      const windows = [aRebootWindow({ days: ['Sun'], start: '02:30', duration: '1h', timeZone: 'Europe/Berlin' })];
      // 25 October 2026: 03:00 CEST becomes 02:00 CET at 01:00Z; 02:30 is 00:30Z and again 01:30Z.
      assert.deepEqual(stateAt(windows, '2026-10-25T00:30:00Z'), open('2026-10-25T01:30:00.000Z'));
      assert.deepEqual(stateAt(windows, '2026-10-25T01:45:00Z'), closed('2026-11-01T01:30:00.000Z'));
    });

    it('counts the duration in elapsed time over the change (Europe/Berlin)', () => {
      const windows = [aRebootWindow({ days: ['Sat'], start: '23:00', duration: '4h', timeZone: 'Europe/Berlin' })];
      // Spring forward: Saturday 23:00 CET (22:00Z) + 4 h = 02:00Z, which is 04:00 CEST.
      assert.deepEqual(stateAt(windows, '2026-03-29T01:30:00Z'), open('2026-03-29T02:00:00.000Z'));
      // Fall back: Saturday 23:00 CEST (21:00Z) + 4 h = 01:00Z, which is the second 02:00, CET.
      assert.deepEqual(stateAt(windows, '2026-10-25T00:59:00Z'), open('2026-10-25T01:00:00.000Z'));
    });

    it('handles America/New_York spring forward and fall back', () => {
      const skipped = [aRebootWindow({ days: ['Sun'], start: '02:15', duration: '1h', timeZone: 'America/New_York' })];
      // 8 March 2026: 02:00 EST becomes 03:00 EDT at 07:00Z.
      assert.deepEqual(stateAt(skipped, '2026-03-08T06:59:00Z'), closed('2026-03-08T07:00:00.000Z'));
      assert.deepEqual(stateAt(skipped, '2026-03-08T07:30:00Z'), open('2026-03-08T08:00:00.000Z'));
      const repeated = [aRebootWindow({ days: ['Sun'], start: '01:30', duration: '1h', timeZone: 'America/New_York' })];
      // 1 November 2026: 02:00 EDT becomes 01:00 EST at 06:00Z; 01:30 EDT is 05:30Z.
      assert.deepEqual(stateAt(repeated, '2026-11-01T06:15:00Z'), open('2026-11-01T06:30:00.000Z'));
      // 01:45 EST, the second pass through the window's wall-clock hour, is after its elapsed hour.
      assert.deepEqual(stateAt(repeated, '2026-11-01T06:45:00Z'), closed('2026-11-08T06:30:00.000Z'));
    });

    it('leaves the hour a day loses uncovered when daily 24-hour windows meet a fall-back night', () => {
      const windows = [aRebootWindow({ days: EVERY_DAY, start: '00:00', duration: '24h', timeZone: 'Europe/Berlin' })];
      // Sunday 25 October 2026 lasts 25 hours: its window (from 00:00 CEST, 24 h) ends at 23:00 CET, 22:00Z.
      assert.deepEqual(stateAt(windows, '2026-10-25T12:00:00Z'), open('2026-10-25T22:00:00.000Z'));
      assert.deepEqual(stateAt(windows, '2026-10-25T22:30:00Z'), closed('2026-10-25T23:00:00.000Z'));
    });
  });

  describe('with several windows', () => {
    it('reports the end of overlapping or adjoining windows together', () => {
      const windows = [
        aRebootWindow({ days: ['Mon'], start: '22:00', duration: '3h', timeZone: 'UTC' }),
        aRebootWindow({ days: ['Tue'], start: '00:30', duration: '2h', timeZone: 'UTC' }),
        aRebootWindow({ days: ['Tue'], start: '02:30', duration: '30m', timeZone: 'UTC' }),
      ];
      assert.deepEqual(stateAt(windows, '2026-11-23T23:00:00Z'), open('2026-11-24T03:00:00.000Z'));
    });

    it('opens at the earliest next window, whatever its time zone', () => {
      const windows = [
        aRebootWindow({ days: ['Sat'], start: '02:00', duration: '1h', timeZone: 'UTC' }),
        // Friday 27 November 2026, 20:00 EST is Saturday 01:00Z.
        aRebootWindow({ days: ['Fri'], start: '20:00', duration: '1h', timeZone: 'America/New_York' }),
      ];
      assert.deepEqual(stateAt(windows, '2026-11-25T12:00:00Z'), closed('2026-11-28T01:00:00.000Z'));
    });

    it('never closes when the windows cover every hour of the week', () => {
      assert.deepEqual(
        stateAt(
          [aRebootWindow({ days: EVERY_DAY, start: '00:00', duration: '24h', timeZone: 'UTC' })],
          '2026-11-25T12:00:00Z',
        ),
        open(),
      );
      assert.deepEqual(
        stateAt(
          [aRebootWindow({ days: ['Wed'], start: '09:00', duration: '168h', timeZone: 'UTC' })],
          '2026-11-25T12:00:00Z',
        ),
        open(),
      );
    });
  });

  it('refuses a window it cannot compute with, with a typed error', () => {
    const now = new Date('2026-11-25T12:00:00Z');
    assert.throws(() => windowState([aRebootWindow({ duration: '1 hour' })], now), PolicyValueError);
    assert.throws(() => windowState([aRebootWindow({ start: '25:00' })], now), PolicyValueError);
    assert.throws(() => windowState([aRebootWindow({ timeZone: 'Mars/Olympus' })], now), PolicyValueError);
  });
});
