import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assignLanes, mergeFileTimes, parseFileTimes, UNKNOWN_FILE_MS } from './lanes.ts';

const total = (lane: readonly string[], times: Record<string, number>) =>
  lane.reduce((sum, file) => sum + (times[file] ?? UNKNOWN_FILE_MS), 0);

describe('assignLanes', () => {
  it('puts every file in exactly one lane', () => {
    const files = Array.from({ length: 13 }, (_, index) => `f${String(index).padStart(2, '0')}.integration.test.ts`);
    const lanes = assignLanes(files, {}, 2);
    assert.deepEqual(lanes.flat().sort(), files);
    assert.equal(new Set(lanes.flat()).size, files.length);
  });

  it('balances known times: the long files go to different lanes', () => {
    const times = { a: 200_000, b: 150_000, c: 60_000, d: 50_000, e: 40_000, f: 10_000 };
    const lanes = assignLanes(Object.keys(times), times, 2);
    assert.equal(lanes.length, 2);
    const [first, second] = lanes.map((lane) => total(lane, times));
    assert.ok(first !== undefined && second !== undefined);
    // Greedy on this set: 200+50+10 = 260 against 150+60+40 = 250.
    assert.deepEqual([first, second].sort(), [250_000, 260_000]);
    assert.ok(!lanes.some((lane) => lane.includes('a') && lane.includes('b')));
  });

  it('keeps path order inside a lane, and gives no empty lane', () => {
    const lanes = assignLanes(['z', 'a', 'm'], { z: 1, a: 100, m: 50 }, 5);
    assert.equal(lanes.length, 3);
    for (const lane of lanes) assert.deepEqual(lane, [...lane].sort());
  });

  it('keeps the files `together` picks in one lane, and balances the rest around them', () => {
    const times = { 'vm/a': 100_000, 'vm/b': 90_000, c: 120_000, d: 60_000, e: 20_000, f: 10_000 };
    const lanes = assignLanes(Object.keys(times), times, 2, (file) => file.startsWith('vm/'));
    const withMachines = lanes.find((lane) => lane.includes('vm/a'));
    assert.ok(withMachines?.includes('vm/b'), `vm/a and vm/b apart: ${JSON.stringify(lanes)}`);
    // The block (190) goes first, then c (120) to the other lane, d (60) and e (20) join c, f (10) joins the block.
    assert.deepEqual(lanes.map((lane) => total(lane, times)).sort(), [200_000, 200_000]);
  });

  it('one lane is the serial run', () => {
    assert.deepEqual(assignLanes(['b', 'a'], {}, 1), [['a', 'b']]);
  });

  it('refuses a lane count that is not a positive integer', () => {
    assert.throws(() => assignLanes(['a'], {}, 0), RangeError);
    assert.throws(() => assignLanes(['a'], {}, 1.5), RangeError);
  });
});

describe('file times', () => {
  it('merges: new times win, vanished files are dropped, kept ones stay', () => {
    assert.deepEqual(mergeFileTimes({ a: 1, b: 2, gone: 3 }, { b: 20.4, c: 30 }, ['a', 'b', 'c', 'd']), {
      a: 1,
      b: 20,
      c: 30,
    });
  });

  it('parses only a map of positive numbers; anything else is no times', () => {
    assert.deepEqual(parseFileTimes('{"a": 5, "b": -1, "c": "x", "d": 7.5, "cancelled": 0}'), { a: 5, d: 7.5 });
    assert.deepEqual(parseFileTimes('not json'), {});
    assert.deepEqual(parseFileTimes('[1,2]'), {});
    assert.deepEqual(parseFileTimes('null'), {});
  });
});
