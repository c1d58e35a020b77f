// Metadata is arbitrary JSON; the read side walks it recursively (printing,
// /metadata, toJson), so nesting is bounded where data enters a store.

export const MAX_METADATA_DEPTH = 64;

/** How deeply a JSON value nests (a scalar is 0), computed without recursion. */
export function jsonDepth(value: unknown): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop() as [unknown, number];
    if (typeof item !== 'object' || item === null) continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > MAX_METADATA_DEPTH) return deepest;
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return deepest;
}
