import type { Problem } from './problem.ts';
import { closestMatch } from './suggest.ts';

import { isTimeZone, TIME_ZONES, WEEKDAYS } from '@strata/api';

export { WEEKDAYS };

// Draining a node and rebooting Container Linux takes minutes; a window shorter
// than half an hour rarely fits even one node. A window longer than a day would
// overlap the next day's: list more days instead.
export const MIN_WINDOW_MINUTES = 30;
export const MAX_WINDOW_MINUTES = 24 * 60;

const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?$/;
export const DURATION_PATTERN = /^(?=\d)(\d+h)?(\d+m)?$/;
export const START_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Minutes in a duration such as "30m", "3h" or "1h30m"; undefined if it is not one. */
export function durationMinutes(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (match === null || text === '') {
    return undefined;
  }
  return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0);
}

export function checkDuration(text: string): Problem | undefined {
  const minutes = durationMinutes(text);
  if (minutes === undefined) {
    return { message: 'is not a duration', hint: 'write hours and minutes like "30m", "3h" or "1h30m"' };
  }
  if (minutes < MIN_WINDOW_MINUTES || minutes > MAX_WINDOW_MINUTES) {
    return {
      message: `must be between ${MIN_WINDOW_MINUTES}m and ${MAX_WINDOW_MINUTES / 60}h`,
      hint:
        minutes < MIN_WINDOW_MINUTES
          ? 'a drain and reboot needs time: use at least "30m"'
          : 'for longer windows, list more days',
    };
  }
  return undefined;
}

export function checkStartTime(text: string): Problem | undefined {
  return START_PATTERN.test(text)
    ? undefined
    : { message: 'is not a time of day', hint: 'write it as HH:MM on a 24-hour clock, e.g. "02:00" (quoted)' };
}

/**
 * A zone the update operator accepts: one of the names its UpdatePolicy CRD
 * lists (`TIME_ZONES` of @strata/api), so that the default policy rendered
 * from these windows is never refused. Intl alone would also take aliases and
 * abbreviations ("US/Eastern", "EST", "GMT") that the CRD does not list.
 */
export function checkTimeZone(zone: string): Problem | undefined {
  if (isTimeZone(zone)) {
    return undefined;
  }
  let resolved: string | undefined;
  // Intl also takes "+01:00"-style offsets, which ignore daylight saving time;
  // a maintenance window should follow the clocks of the people it is for.
  if (!/^[+-]/.test(zone)) {
    try {
      resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
    } catch {
      resolved = undefined;
    }
  }
  if (resolved !== undefined && isTimeZone(resolved)) {
    // Intl accepts any letter case; other readers of the config (systemd, Go) do not.
    return resolved.toLowerCase() === zone.toLowerCase()
      ? { message: 'is not spelled as the IANA database spells it', hint: `use "${resolved}"` }
      : { message: 'is an alias or abbreviation, not the name of an IANA time zone', hint: `use "${resolved}"` };
  }
  const match = closestMatch(zone, TIME_ZONES);
  return {
    message: 'is not an IANA time zone',
    hint:
      match === undefined ? 'use a name like "Europe/Berlin", "America/New_York" or "UTC"' : `did you mean "${match}"?`,
  };
}
