import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkDuration, checkStartTime, checkTimeZone, durationMinutes } from './update-window.ts';

describe('update windows', () => {
  it('reads durations in hours and minutes', () => {
    assert.deepEqual(['30m', '3h', '1h30m', '90m', '', '1m30h', '2d'].map(durationMinutes), [
      30,
      180,
      90,
      90,
      undefined,
      undefined,
      undefined,
    ]);
    assert.equal(checkDuration('24h'), undefined);
    assert.equal(checkDuration('25h')?.message, 'must be between 30m and 24h');
    assert.equal(checkDuration('15m')?.hint, 'a drain and reboot needs time: use at least "30m"');
  });

  it('reads start times on a 24-hour clock', () => {
    assert.deepEqual(
      ['00:00', '23:59', '24:00', '2:00', '02:60'].map((start) => checkStartTime(start) === undefined),
      [true, true, false, false, false],
    );
  });

  it('takes IANA time zones, spelled as the database spells them', () => {
    assert.equal(checkTimeZone('Europe/Berlin'), undefined);
    assert.equal(checkTimeZone('UTC'), undefined);
    assert.deepEqual(checkTimeZone('europe/berlin'), {
      message: 'is not spelled as the IANA database spells it',
      hint: 'use "Europe/Berlin"',
    });
    // The update operator's CRD lists canonical names only; Intl would take these too.
    assert.deepEqual(checkTimeZone('US/Eastern'), {
      message: 'is an alias or abbreviation, not the name of an IANA time zone',
      hint: 'use "America/New_York"',
    });
    assert.deepEqual(checkTimeZone('GMT'), {
      message: 'is an alias or abbreviation, not the name of an IANA time zone',
      hint: 'use "UTC"',
    });
    assert.deepEqual(checkTimeZone('+01:00'), {
      message: 'is not an IANA time zone',
      hint: 'use a name like "Europe/Berlin", "America/New_York" or "UTC"',
    });
    assert.deepEqual(checkTimeZone('America/New_Yrok'), {
      message: 'is not an IANA time zone',
      hint: 'did you mean "America/New_York"?',
    });
  });
});
