// Container Linux versions: MAJOR.MINOR.PATCH (e.g. 3374.2.1), optionally with
// a build suffix (3340.0.0+nightly-20220823-2100). Only the numbers order
// versions; two versions that differ only in the suffix are equal, so neither
// is ever offered over the other.

const VERSION = /^(\d{1,9}(?:\.\d{1,9}){0,3})(?:[+-][0-9A-Za-z.+_-]{0,64})?$/;

/** The numeric parts of a version, or undefined if it is not one. */
export function parseVersion(version: string): readonly number[] | undefined {
  const match = VERSION.exec(version);
  if (match?.[1] === undefined) return undefined;
  return match[1].split('.').map(Number);
}

/** Negative, zero or positive as `a` is older than, equal to or newer than `b`; undefined if either is not a version. */
export function compareVersions(a: string, b: string): number | undefined {
  const left = parseVersion(a);
  const right = parseVersion(b);
  if (left === undefined || right === undefined) return undefined;
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}

/** True only when `candidate` is strictly newer than `running`; never for something that is not a version. */
export function isNewer(candidate: string, running: string): boolean {
  const order = compareVersions(candidate, running);
  return order !== undefined && order > 0;
}
