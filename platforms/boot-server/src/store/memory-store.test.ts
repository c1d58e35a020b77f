import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidNameError, InvalidResourceError } from '../errors.ts';
import { aGroup, aProfile } from '../testing/builders.ts';
import { MemoryBootStore } from './memory-store.ts';

describe('MemoryBootStore', () => {
  it('swaps in a new frozen snapshot on every write and tells listeners', async () => {
    const store = new MemoryBootStore({ profiles: [aProfile({ id: 'worker' })] });
    const seen: number[] = [];
    store.onChange((snapshot) => seen.push(snapshot.groups.size));
    const before = store.snapshot();
    await store.putGroup(aGroup({ id: 'g', selector: { mac: '52-54-00-00-00-0A' } }));
    assert.notEqual(store.snapshot(), before);
    assert.equal(before.groups.size, 0);
    assert.deepEqual(store.snapshot().groups.get('g')?.selector, { mac: '52:54:00:00:00:0a' });
    assert.ok(Object.isFrozen(store.snapshot().groups.get('g')?.selector));
    assert.equal(await store.deleteGroup('g'), true);
    assert.equal(await store.deleteGroup('g'), false);
    assert.deepEqual(seen, [1, 0]);
  });

  it('validates as the directory store does', async () => {
    const store = new MemoryBootStore();
    await assert.rejects(store.putTemplate('ignition', '../x', ''), InvalidNameError);
    await assert.rejects(store.putGroup({ ...aGroup(), selector: { mac: 'zz' } }), InvalidResourceError);
  });
});
