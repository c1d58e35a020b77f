// Wall-clock time in an IANA time zone, computed with Intl (Node.js 24 has no Temporal without a flag).
// "Wall time" is a local date and time encoded as if it were UTC: Date.UTC(year, month - 1, day, hour, minute).
import { PolicyValueError } from './errors.ts';

const SECOND = 1000;
const DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let cached = formatters.get(timeZone);
  if (cached === undefined) {
    try {
      cached = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch (error) {
      throw new PolicyValueError(`unknown time zone ${timeZone}`, { timeZone }, { cause: error });
    }
    formatters.set(timeZone, cached);
  }
  return cached;
}

/** The wall time in `timeZone` at `instant` (milliseconds since the epoch), to the second. */
export function wallTimeAt(instant: number, timeZone: string): number {
  const parts: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
  for (const part of formatter(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** How far `timeZone`'s wall clock is ahead of UTC at `instant`, in milliseconds. */
export function offsetAt(instant: number, timeZone: string): number {
  return wallTimeAt(instant, timeZone) - Math.floor(instant / SECOND) * SECOND;
}

/**
 * The instant at which the wall clock of `timeZone` shows `wallTime`.
 *
 * - A wall time that occurs twice (the clocks go back) gives its first occurrence.
 * - A wall time that does not occur (the clocks jump forward over it) gives the first instant after the gap, which is
 *   the instant of the jump: 02:30 on the day Europe/Berlin goes from 02:00 CET to 03:00 CEST gives 03:00 CEST.
 *
 * Offsets are sampled a day either side, which assumes no zone changes its offset twice within two days.
 */
export function instantOfWallTime(wallTime: number, timeZone: string): number {
  const before = offsetAt(wallTime - DAY, timeZone);
  const after = offsetAt(wallTime + DAY, timeZone);
  const occurrences = [...new Set([before, after])]
    .map((offset) => wallTime - offset)
    .filter((instant) => wallTimeAt(instant, timeZone) === wallTime)
    .sort((a, b) => a - b);
  const first = occurrences[0];
  if (first !== undefined) return first;
  // In the gap: `before` still applies at wallTime - after and `after` already at wallTime - before; the jump lies
  // between. Offsets change on whole seconds.
  let low = wallTime - after;
  let high = wallTime - before;
  while (high - low > SECOND) {
    const middle = low + Math.floor((high - low) / 2 / SECOND) * SECOND;
    if (offsetAt(middle, timeZone) === before) low = middle;
    else high = middle;
  }
  return high;
}
