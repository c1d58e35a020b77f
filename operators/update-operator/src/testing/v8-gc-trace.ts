/** What V8's `--trace-gc` says of a process's full collections: the heap used before each, and what stayed alive. */
export interface FullCollections {
  readonly count: number;
  readonly maxBeforeMiB: number;
  readonly maxAfterMiB: number;
  readonly medianAfterMiB: number;
}

// A full collection's line, e.g. `[1234:0x5b0c…]   51234 ms: Mark-Compact 95.3 (110.2) -> 52.1 (100.0) MB, …`
// ("(reduce)" when the memory reducer started it). V8 prints MB meaning MiB.
const FULL_COLLECTION = /Mark-Compact(?: \(reduce\))? ([\d.]+) \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB/g;

/** The full collections in a process's output under `--trace-gc`; scavenges (young generation only) are left out. */
export function fullCollectionsOf(log: string): FullCollections {
  const pairs = [...log.matchAll(FULL_COLLECTION)].map((match) => ({
    before: Number(match[1]),
    after: Number(match[2]),
  }));
  const afters = pairs.map((pair) => pair.after).sort((a, b) => a - b);
  return {
    count: pairs.length,
    maxBeforeMiB: Math.max(0, ...pairs.map((pair) => pair.before)),
    maxAfterMiB: Math.max(0, ...afters),
    medianAfterMiB: afters[Math.floor(afters.length / 2)] ?? 0,
  };
}

/** One line of the summary, the same in every benchmark that reports it. */
export function describeFullCollections(collections: FullCollections): string {
  return `full collections (V8's --trace-gc): ${collections.count}; the heap before one at most ${collections.maxBeforeMiB.toFixed(1)} MiB, alive after one at most ${collections.maxAfterMiB.toFixed(1)} MiB (median ${collections.medianAfterMiB.toFixed(1)} MiB)`;
}
