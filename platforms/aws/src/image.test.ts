import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { imageQuery } from './image.ts';

const byName = (filters: readonly { name: string; values: string[] }[]) =>
  Object.fromEntries(filters.map((filter) => [filter.name, filter.values]));

describe('the AMI lookup', () => {
  it("asks Flatcar's account for the newest of the channel, or the pinned release", () => {
    const latest = imageQuery({ name: 'flatcar', channel: 'beta' });
    assert.deepEqual(latest.owners, ['075585003325']);
    assert.equal(latest.mostRecent, true);
    assert.deepEqual(byName(latest.filters), {
      name: ['Flatcar-beta-*'],
      architecture: ['x86_64'],
      'virtualization-type': ['hvm'],
    });
    const pinned = imageQuery({ name: 'flatcar', channel: 'stable', version: '4230.2.3' });
    assert.deepEqual(byName(pinned.filters)['name'], ['Flatcar-stable-4230.2.3-hvm']);
  });

  it("asks Fedora's account for Fedora CoreOS, the stream in the description", () => {
    const query = imageQuery({ name: 'fedora-coreos', channel: 'testing' });
    assert.deepEqual(query.owners, ['125523088429']);
    assert.deepEqual(byName(query.filters)['description'], ['Fedora CoreOS testing *']);
    assert.deepEqual(byName(query.filters)['name'], ['fedora-coreos-*-x86_64']);
  });
});
