// What the machine lab's benchmarks share: a bounded count from the command line, progress on stderr, medians.

/** `--name`'s value as a whole number from 1 to `max`; anything else ends the process with exit code 2 and why. */
export function countOption(name: string, value: string | undefined, max: number): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > max) {
    process.stderr.write(`--${name}: a whole number from 1 to ${max}, not ${JSON.stringify(value)}\n`);
    process.exit(2);
  }
  return count;
}

/** A progress or result line, on stderr (stdout stays free for a caller's pipe). */
export const say = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

export const median = (numbers: readonly number[]): number => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? NaN)
    : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
};
