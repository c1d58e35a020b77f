import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Labels } from '../labels/labels.ts';
import { aGroup } from '../testing/builders.ts';
import fc from 'fast-check';
import { randomOf } from '../testing/random.ts';
import { GroupIndex } from './group-index.ts';
import { selectGroupBySorting } from './reference.ts';
import { selectorString } from './selector.ts';

const labels = (entries: Record<string, string>): Labels => new Map(Object.entries(entries));

describe('GroupIndex', () => {
  it('matches a group whose every selector equals a label, ignoring extra labels', () => {
    const index = GroupIndex.build([aGroup({ id: 'node1', selector: { uuid: 'a', mac: '52:54:00:00:00:01' } })]);
    assert.equal(index.match(labels({ uuid: 'a', mac: '52:54:00:00:00:01', os: 'installed' }))?.id, 'node1');
    assert.equal(index.match(labels({ uuid: 'a' })), undefined);
    assert.equal(index.match(labels({ uuid: 'b', mac: '52:54:00:00:00:01' })), undefined);
  });

  it('prefers the group with more selectors, and an empty selector is the default', () => {
    const index = GroupIndex.build([
      aGroup({ id: 'default', selector: {} }),
      aGroup({ id: 'installed', selector: { os: 'installed' } }),
      aGroup({ id: 'node1-installed', selector: { os: 'installed', mac: '52:54:00:00:00:01' } }),
    ]);
    assert.equal(index.match(labels({}))?.id, 'default');
    assert.equal(index.match(labels({ os: 'installed' }))?.id, 'installed');
    assert.equal(index.match(labels({ os: 'installed', mac: '52:54:00:00:00:01' }))?.id, 'node1-installed');
    assert.equal(index.match(labels({ mac: '52:54:00:00:00:01' }))?.id, 'default');
  });

  it('breaks ties between as many selectors by the larger sorted "k=v,k=v" string', () => {
    // Matchbox's own example: {region:a, zone:z} < {region:b, zone:z}.
    const index = GroupIndex.build([
      aGroup({ id: 'a', selector: { region: 'a' } }),
      aGroup({ id: 'b', selector: { zone: 'z' } }),
    ]);
    assert.equal(selectorString({ zone: 'z', region: 'a' }), 'region=a,zone=z');
    assert.equal(index.match(labels({ region: 'a', zone: 'z' }))?.id, 'b');
  });

  it('compares selector strings by UTF-8 bytes as Go does, not by UTF-16 code units', () => {
    // "k\u{1F600}=1" against "k\uFF5E=1": UTF-16 puts the emoji first (0xD83D < 0xFF5E), UTF-8 last (0xF0 > 0xEF).
    const emoji = 'k\u{1F600}';
    const fullwidth = 'k\uFF5E';
    const index = GroupIndex.build([
      aGroup({ id: 'emoji', selector: { [emoji]: '1' } }),
      aGroup({ id: 'fullwidth', selector: { [fullwidth]: '1' } }),
    ]);
    assert.equal(index.match(labels({ [emoji]: '1', [fullwidth]: '1' }))?.id, 'emoji');
  });

  it('normalizes a "mac" selector written in another form, and leaves out a group whose MAC does not parse', () => {
    const index = GroupIndex.build([
      aGroup({ id: 'hyphen', selector: { mac: '52-54-00-AA-BB-CC' } }),
      aGroup({ id: 'bad', selector: { MAC: 'not-a-mac' } }),
    ]);
    assert.equal(index.match(labels({ mac: '52:54:00:aa:bb:cc' }))?.id, 'hyphen');
    assert.deepEqual(index.unmatchable, [{ id: 'bad', reason: 'its "mac" selector is not a MAC address' }]);
  });

  it('is case-sensitive in keys, as matchbox is ("MAC" is not "mac")', () => {
    const index = GroupIndex.build([aGroup({ id: 'upper', selector: { MAC: '52:54:00:aa:bb:cc' } })]);
    assert.equal(index.match(labels({ mac: '52:54:00:aa:bb:cc' })), undefined);
    assert.equal(index.match(labels({ MAC: '52:54:00:aa:bb:cc' }))?.id, 'upper');
  });

  it('picks the group whose file name sorts first among groups with identical selectors, as matchbox does', () => {
    const index = GroupIndex.build([
      aGroup({ id: 'zeta', selector: { os: 'installed' } }),
      aGroup({ id: 'alpha', selector: { os: 'installed' } }),
    ]);
    assert.equal(index.match(labels({ os: 'installed' }))?.id, 'alpha');
    // "a-b.json" lists before "a.json" ('-' is below '.'), although the id "a" sorts before "a-b".
    const byFile = GroupIndex.build([
      aGroup({ id: 'a', selector: { os: 'installed' } }),
      aGroup({ id: 'a-b', selector: { os: 'installed' } }),
    ]);
    assert.equal(byFile.match(labels({ os: 'installed' }))?.id, 'a-b');
  });

  it('breaks ties by the store key, not the id a group file declares', () => {
    const index = GroupIndex.fromEntries([
      ['b', aGroup({ id: 'first-by-id', selector: { os: 'installed' } })],
      ['a', aGroup({ id: 'second-by-id', selector: { os: 'installed' } })],
    ]);
    assert.equal(index.match(labels({ os: 'installed' }))?.id, 'second-by-id');
  });

  it('selects what matchbox’s sort-and-scan selects, for random groups and labels (200 rounds of 50 probes)', () => {
    const keys = ['mac', 'uuid', 'os', 'region', 'zone', 'hostname'];
    const values = ['a', 'b', 'c', '52:54:00:00:00:01', 'installed', ''];
    // One round per run, drawn by fast-check: a failure prints the seed and path that replay it.
    fc.assert(
      fc.property(fc.gen(), (g) => {
        const random = randomOf(g);
        const groups = Array.from({ length: 1 + random.int(30) }, (_, n) => {
          const selector: Record<string, string> = {};
          for (const key of keys)
            if (random.chance(0.3)) selector[key] = key === 'mac' ? '52:54:00:00:00:01' : random.pick(values);
          return aGroup({ id: `g${n}-${random.int(5)}`, selector });
        });
        const index = GroupIndex.build(groups);
        for (let probe = 0; probe < 50; probe += 1) {
          const request = new Map<string, string>();
          for (const key of keys)
            if (random.chance(0.6)) request.set(key, key === 'mac' ? '52:54:00:00:00:01' : random.pick(values));
          assert.equal(index.match(request)?.id, selectGroupBySorting(groups, request)?.id, `probe ${probe}`);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('needs one look-up per distinct selector key set, however many groups there are', () => {
    const groups = Array.from({ length: 5000 }, (_, n) =>
      aGroup({
        id: `m${n}`,
        selector: {
          mac: `52:54:00:00:${(n >> 8).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`,
        },
      }),
    );
    groups.push(aGroup({ id: 'default', selector: {} }), aGroup({ id: 'installed', selector: { os: 'installed' } }));
    const index = GroupIndex.build(groups);
    assert.equal(index.size, 5002);
    assert.equal(index.keySets, 3);
    assert.equal(index.match(labels({ mac: '52:54:00:00:10:92' }))?.id, 'm4242');
  });
});
