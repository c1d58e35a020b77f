import { WEEKDAYS } from '@strata/assets';
import { parseDuration, type RebootWindow } from '@strata/api';
import { PolicyValueError } from './errors.ts';
import { instantOfWallTime, wallTimeAt } from './zoned-time.ts';

/**
 * Whether reboots may start at an instant, and when that changes.
 *
 * - open: `closesAt` is when the last of the overlapping or adjoining windows that are open closes; absent when they
 *   cover the whole horizon (two weeks), e.g. windows that together span every hour of the week.
 * - closed: `opensAt` is when the next window opens.
 */
export interface WindowState {
  readonly open: boolean;
  readonly closesAt?: Date;
  readonly opensAt?: Date;
}

interface Interval {
  readonly start: number;
  readonly end: number;
}

const DAY = 86_400_000;
// A window starts at most 168 h (its longest duration) before an instant it covers, and the next one starts at most
// a week (plus a daylight-saving hour) after any instant: these many days either side find every window that matters.
const DAYS_BEFORE = 8;
const DAYS_AFTER = 22;
// An open stretch longer than this is reported as never closing: windows repeat weekly, so such a stretch covers
// every hour of the week.
const HORIZON = 14 * DAY;

function parseStart(start: string): { hour: number; minute: number } {
  const match = /^([01][0-9]|2[0-3]):([0-5][0-9])$/.exec(start);
  if (match === null) throw new PolicyValueError(`window start ${start} is not a time of day as HH:MM`, { start });
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

/** Every opening of `window` whose local start date lies within the days around `instant`. */
function occurrences(window: RebootWindow, instant: number): Interval[] {
  const duration = parseDuration(window.duration);
  if (duration === undefined || duration <= 0) {
    throw new PolicyValueError(`window duration ${window.duration} is not a positive duration such as 1h30m`, {
      duration: window.duration,
    });
  }
  const { hour, minute } = parseStart(window.start);
  const today = new Date(wallTimeAt(instant, window.timeZone));
  const days = new Set<string>(window.days);
  const found: Interval[] = [];
  for (let offset = -DAYS_BEFORE; offset <= DAYS_AFTER; offset += 1) {
    const date = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + offset));
    // getUTCDay counts from Sunday; WEEKDAYS from Monday.
    const weekday = WEEKDAYS[(date.getUTCDay() + 6) % 7];
    if (weekday === undefined || !days.has(weekday)) continue;
    const wallStart = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), hour, minute);
    const start = instantOfWallTime(wallStart, window.timeZone);
    found.push({ start, end: start + duration });
  }
  return found;
}

/** Overlapping and adjoining intervals joined, in order. */
function merge(intervals: readonly Interval[]): Interval[] {
  const merged: Interval[] = [];
  for (const interval of [...intervals].sort((a, b) => a.start - b.start)) {
    const last = merged.at(-1);
    if (last !== undefined && interval.start <= last.end)
      merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, interval.end) };
    else merged.push(interval);
  }
  return merged;
}

/**
 * Whether `windows` let a reboot start at `instant`. No windows (absent or empty) means always open.
 *
 * Each window opens on each of its days at `start` on the wall clock of its time zone, and stays open for `duration`
 * of elapsed time, so a window may cross midnight and the end of the week (Sun 23:00 for 3h closes Monday 02:00).
 * Across a daylight-saving change:
 * - a start time the clocks skip opens the window at the jump (02:30 on a spring-forward night at 02:00 opens it at
 *   03:00), for the full duration from then;
 * - a start time that occurs twice opens it at the first occurrence;
 * - a window open across the change closes after its elapsed duration, so on the wall clock it ends an hour later
 *   (spring forward) or earlier (fall back) than start + duration.
 * Windows are open from their start (inclusive) to their end (exclusive).
 */
export function windowState(windows: readonly RebootWindow[] | undefined, instant: Date): WindowState {
  if (windows === undefined || windows.length === 0) return { open: true };
  const now = instant.getTime();
  const intervals = merge(windows.flatMap((window) => occurrences(window, now)));
  const current = intervals.find((interval) => interval.start <= now && now < interval.end);
  if (current !== undefined) {
    return current.end - now > HORIZON ? { open: true } : { open: true, closesAt: new Date(current.end) };
  }
  const next = intervals.find((interval) => interval.start > now);
  // Every window opens at least once a week, so within the days looked at there is always a next opening.
  return next === undefined ? { open: false } : { open: false, opensAt: new Date(next.start) };
}
