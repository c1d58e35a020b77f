import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PolicyValueError } from './errors.ts';
import { instantOfWallTime, offsetAt, wallTimeAt } from './zoned-time.ts';

const at = (iso: string) => Date.parse(iso);
/** A wall time, written as the local date and time it shows. */
const wall = (local: string) => Date.parse(`${local}Z`);
const HOUR = 3_600_000;

describe('wall time in a time zone', () => {
  it('reads the wall clock and the offset at an instant', () => {
    assert.equal(wallTimeAt(at('2026-07-01T12:00:00Z'), 'Europe/Berlin'), wall('2026-07-01T14:00:00'));
    assert.equal(offsetAt(at('2026-01-01T12:00:00Z'), 'Europe/Berlin'), HOUR);
    assert.equal(offsetAt(at('2026-01-01T12:00:00Z'), 'America/New_York'), -5 * HOUR);
    assert.equal(offsetAt(at('2026-01-01T12:00:00Z'), 'Asia/Kolkata'), 5.5 * HOUR);
    assert.equal(offsetAt(at('2026-01-01T12:00:00Z'), 'UTC'), 0);
  });

  it('finds the one instant of an ordinary wall time', () => {
    assert.equal(instantOfWallTime(wall('2026-07-01T14:00:00'), 'Europe/Berlin'), at('2026-07-01T12:00:00Z'));
    assert.equal(instantOfWallTime(wall('2026-07-01T14:00:00'), 'UTC'), at('2026-07-01T14:00:00Z'));
  });

  it('takes the first occurrence of a wall time the clocks show twice', () => {
    // Europe/Berlin, 25 October 2026: 03:00 CEST becomes 02:00 CET, so 02:30 happens at 00:30Z and at 01:30Z.
    assert.equal(instantOfWallTime(wall('2026-10-25T02:30:00'), 'Europe/Berlin'), at('2026-10-25T00:30:00Z'));
    // America/New_York, 1 November 2026: 02:00 EDT becomes 01:00 EST.
    assert.equal(instantOfWallTime(wall('2026-11-01T01:30:00'), 'America/New_York'), at('2026-11-01T05:30:00Z'));
  });

  it('gives the instant of the jump for a wall time the clocks skip', () => {
    // Europe/Berlin, 29 March 2026: 02:00 CET becomes 03:00 CEST at 01:00Z.
    assert.equal(instantOfWallTime(wall('2026-03-29T02:30:00'), 'Europe/Berlin'), at('2026-03-29T01:00:00Z'));
    assert.equal(instantOfWallTime(wall('2026-03-29T02:00:00'), 'Europe/Berlin'), at('2026-03-29T01:00:00Z'));
    // America/New_York, 8 March 2026: 02:00 EST becomes 03:00 EDT at 07:00Z.
    assert.equal(instantOfWallTime(wall('2026-03-08T02:15:00'), 'America/New_York'), at('2026-03-08T07:00:00Z'));
    // Australia/Lord_Howe moves by half an hour: 4 October 2026, 02:00 (+10:30) becomes 02:30 (+11:00).
    assert.equal(instantOfWallTime(wall('2026-10-04T02:15:00'), 'Australia/Lord_Howe'), at('2026-10-03T15:30:00Z'));
  });

  it('refuses an unknown time zone with a typed error', () => {
    assert.throws(() => wallTimeAt(0, 'Mars/Olympus'), PolicyValueError);
  });
});
