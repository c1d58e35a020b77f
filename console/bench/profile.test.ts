import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { heaviestFunctions, type CpuProfile } from './profile.ts';

const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 9 });

describe('heaviestFunctions', () => {
  it('sums each sample’s time delta into its function’s self time, heaviest first', () => {
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', '') },
        { id: 2, callFrame: frame('sort', 'https://127.0.0.1/_next/static/chunks/a.js') },
        { id: 3, callFrame: frame('', 'https://127.0.0.1/_next/static/chunks/b.js') },
      ],
      samples: [2, 3, 2, 1],
      timeDeltas: [1000, 3000, 1500, 500],
    };
    assert.deepEqual(heaviestFunctions(profile, 2), [
      ['(anonymous) (b.js:10)', 3],
      ['sort (a.js:10)', 2.5],
    ]);
  });
});
