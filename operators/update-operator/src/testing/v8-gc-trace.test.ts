import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeFullCollections, fullCollectionsOf } from './v8-gc-trace.ts';

const line = (kind: string, before: number, after: number): string =>
  `[4242:0x5b0c1e0]    51234 ms: ${kind} ${before.toFixed(1)} (${(before + 9).toFixed(1)}) -> ${after.toFixed(1)} (${(after + 7).toFixed(1)}) MB, pooled: 0 MB, 12.34 / 0.00 ms  (average mu = 0.98, current mu = 0.97) allocation failure;`;

describe('fullCollectionsOf', () => {
  it('sums up the full collections, the memory reducer’s included, and leaves scavenges out', () => {
    const log = [
      'a line the operator logged',
      line('Scavenge', 80, 79),
      line('Mark-Compact', 60.3, 28.7),
      line('Mark-Compact (reduce)', 40, 26.1),
      line('Mark-Compact', 55, 30.5),
      line('Scavenge', 99, 97),
    ].join('\n');
    assert.deepEqual(fullCollectionsOf(log), { count: 3, maxBeforeMiB: 60.3, maxAfterMiB: 30.5, medianAfterMiB: 28.7 });
  });

  it('reports no collection for a log without --trace-gc output', () => {
    assert.deepEqual(fullCollectionsOf('{"level":30,"msg":"leading"}\n'), {
      count: 0,
      maxBeforeMiB: 0,
      maxAfterMiB: 0,
      medianAfterMiB: 0,
    });
  });

  it('describes them in one line', () => {
    assert.match(
      describeFullCollections(fullCollectionsOf(line('Mark-Compact', 61, 29))),
      /^full collections \(V8's --trace-gc\): 1; the heap before one at most 61\.0 MiB, alive after one at most 29\.0 MiB/,
    );
  });
});
