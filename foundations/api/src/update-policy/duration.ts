// Durations in an UpdatePolicy are written as Go's time.ParseDuration reads them ("1h30m", "1.5h", "90s"), because
// the API server checks them with CEL's duration(), which is that parser. This module reads them the same way, to
// the nanosecond, so that the zod schema and the API server agree on every value.

/** What a policy duration may look like; the same pattern is the CRD's, so it has no backslash (CEL and JSON need none). */
export const DURATION_PATTERN = '^([0-9]+([.][0-9]+)?(ms|h|m|s))+$';

/** The longest duration a policy accepts: a reboot window can span at most one week. */
export const MAX_DURATION = '168h';

/** A duration longer than a string this long is never needed, and bounding it keeps CEL cost estimates small. */
export const MAX_DURATION_LENGTH = 32;

const UNIT_NANOSECONDS = { h: 3_600_000_000_000n, m: 60_000_000_000n, s: 1_000_000_000n, ms: 1_000_000n } as const;
const DURATION = new RegExp(DURATION_PATTERN);
const TERM = /([0-9]+)(?:[.]([0-9]+))?(ms|h|m|s)/g;

function isUnit(unit: string): unit is keyof typeof UNIT_NANOSECONDS {
  return Object.hasOwn(UNIT_NANOSECONDS, unit);
}

/**
 * The duration in nanoseconds, or undefined when `text` is not a duration of this form. A fraction is truncated to
 * whole nanoseconds per term, as Go does.
 */
export function durationNanoseconds(text: string): bigint | undefined {
  if (!DURATION.test(text)) return undefined;
  let total = 0n;
  for (const [, whole = '0', fraction = '', unit = ''] of text.matchAll(TERM)) {
    if (!isUnit(unit)) return undefined;
    const scale = UNIT_NANOSECONDS[unit];
    total += BigInt(whole) * scale + (BigInt(fraction || '0') * scale) / 10n ** BigInt(fraction.length);
  }
  return total;
}

const MAX_NANOSECONDS = durationNanoseconds(MAX_DURATION) ?? 0n;

/** True when `text` is a duration above zero and at most MAX_DURATION. */
export function isPolicyDuration(text: string): boolean {
  const nanoseconds = durationNanoseconds(text);
  return nanoseconds !== undefined && nanoseconds > 0n && nanoseconds <= MAX_NANOSECONDS;
}

/** The duration in milliseconds (fractional below one), or undefined when `text` is not a duration of this form. */
export function parseDuration(text: string): number | undefined {
  const nanoseconds = durationNanoseconds(text);
  return nanoseconds === undefined ? undefined : Number(nanoseconds) / 1_000_000;
}
