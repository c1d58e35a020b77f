// Which integration files run in which lane. Each lane is one `node --test`
// process with its own network namespace (scripts/test.ts), so local clusters'
// fixed loopback addresses cannot collide across lanes; within a lane files
// still run one at a time.

/** A file's time in an earlier run (ms), by its path relative to the repository. */
export type FileTimes = Readonly<Record<string, number>>;

/** What a file never timed before is assumed to take: long enough to be spread, not so long that it skews. */
export const UNKNOWN_FILE_MS = 30_000;

/**
 * Longest files first, each to the lane with the least time so far (the classic greedy schedule). Files that
 * `together` picks are one block, placed as a whole (with their summed time): they never run beside each other. The
 * machine tests are such a block: each boots guests under QEMU's TCG, which takes a whole core, and two at once
 * would each run at half speed against boot deadlines. Lanes keep their files in path order so that a lane's
 * output reads like the serial run's.
 */
export function assignLanes(
  files: readonly string[],
  times: FileTimes,
  laneCount: number,
  together: (file: string) => boolean = () => false,
): string[][] {
  if (!Number.isInteger(laneCount) || laneCount < 1) throw new RangeError(`lane count ${laneCount} is not a count`);
  const expected = (file: string): number => times[file] ?? UNKNOWN_FILE_MS;
  const grouped = files.filter(together);
  const blocks = [
    ...(grouped.length > 0 ? [grouped] : []),
    ...files.filter((file) => !together(file)).map((file) => [file]),
  ].map((block) => ({ files: block, time: block.reduce((sum, file) => sum + expected(file), 0) }));
  const lanes = Array.from({ length: laneCount }, () => ({ files: [] as string[], total: 0 }));
  const longestFirst = blocks.sort((a, b) => b.time - a.time || (a.files[0] ?? '').localeCompare(b.files[0] ?? ''));
  for (const block of longestFirst) {
    const lightest = lanes.reduce((best, lane) => (lane.total < best.total ? lane : best));
    lightest.files.push(...block.files);
    lightest.total += block.time;
  }
  return lanes.map((lane) => lane.files.sort()).filter((files) => files.length > 0);
}

/** Earlier times merged with this run's: a file timed now replaces its old time; files that are gone are dropped. */
export function mergeFileTimes(earlier: FileTimes, now: FileTimes, files: readonly string[]): Record<string, number> {
  const merged: Record<string, number> = {};
  for (const file of files) {
    const time = now[file] ?? earlier[file];
    if (time !== undefined) merged[file] = Math.round(time);
  }
  return merged;
}

/**
 * Times read back (from the cache or a lane's reporter): only positive numbers count. A file whose tests were
 * cancelled (its lane was stopped) reports 0, which is no measurement.
 */
export function parseFileTimes(text: string): FileTimes {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const times: Record<string, number> = {};
  for (const [file, time] of Object.entries(value)) {
    if (typeof time === 'number' && Number.isFinite(time) && time > 0) times[file] = time;
  }
  return times;
}
