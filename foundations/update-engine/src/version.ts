import { z } from 'zod';

/** Both Flatcar ("4230.2.3") and Fedora CoreOS ("42.20250901.3.0") number their releases as dotted integers. */
export const versionSchema = z.string().regex(/^\d+(\.\d+)*$/, 'must be dotted numbers, e.g. 4230.2.3');

export function versionParts(version: string): number[] {
  return version.split('.').map(Number);
}

/** Negative, zero or positive as `a` is older than, the same as or newer than `b`; missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const left = versionParts(a);
  const right = versionParts(b);
  for (let index = 0; index < Math.max(left.length, right.length); index += 1) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) {
      return difference;
    }
  }
  return 0;
}
