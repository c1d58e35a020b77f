import assert from 'node:assert/strict';
import { test } from 'node:test';
import { osImageLookup } from './image.ts';

test("an unpinned OS is its channel's image family in the vendor's project", () => {
  assert.deepEqual(osImageLookup({ name: 'flatcar', channel: 'beta' }), {
    project: 'kinvolk-public',
    family: 'flatcar-beta',
  });
  assert.deepEqual(osImageLookup({ name: 'fedora-coreos', channel: 'testing' }), {
    project: 'fedora-coreos-cloud',
    family: 'fedora-coreos-testing',
  });
});

test('a pinned release is the newest image whose name spells it', () => {
  assert.deepEqual(osImageLookup({ name: 'flatcar', channel: 'stable', version: '4230.2.3' }), {
    project: 'kinvolk-public',
    filter: 'name eq flatcar-stable-4230-2-3-.*',
    mostRecent: true,
  });
  assert.deepEqual(osImageLookup({ name: 'fedora-coreos', channel: 'stable', version: '42.20250901.3.0' }), {
    project: 'fedora-coreos-cloud',
    filter: 'name eq fedora-coreos-42-20250901-3-0-gcp-x86-64',
    mostRecent: true,
  });
});
