import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeRow } from './node-row.ts';
import { countVersions } from './os-versions.ts';

const node = (name: string, osVersion: string | undefined, osImage = 'Flatcar Container Linux'): NodeRow => ({
  name,
  roles: [],
  ready: 'Ready',
  schedulable: true,
  osImage,
  kubeletVersion: 'v1.35.0',
  ...(osVersion === undefined ? {} : { osVersion }),
  updateState: 'Not reported',
  rebootsPaused: false,
});

describe('countVersions', () => {
  it('counts nodes per version, the most common first, the OS image where no agent reports a version', () => {
    const rows = [
      node('a', '4081.2.0'),
      node('b', '4081.3.0'),
      node('c', '4081.3.0'),
      node('d', undefined, 'Debian GNU/Linux 13'),
      node('e', undefined, ''),
      node('f', '4081.2.0'),
      node('g', '4081.3.0'),
    ];
    assert.deepEqual(countVersions(rows), [
      { version: '4081.3.0', nodes: 3 },
      { version: '4081.2.0', nodes: 2 },
      { version: 'Debian GNU/Linux 13', nodes: 1 },
      { version: 'Not reported', nodes: 1 },
    ]);
    assert.deepEqual(countVersions([]), []);
  });
});
