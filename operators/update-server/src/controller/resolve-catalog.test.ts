import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aChannelResource, aGroupResource, aReleaseResource } from '../testing/resources.ts';
import { resolveCatalog } from './resolve-catalog.ts';

describe('resolveCatalog', () => {
  it('resolves a group through its channel to the release it offers', () => {
    const resolution = resolveCatalog({
      releases: [aReleaseResource('flatcar-3374.2.1', { version: '3374.2.1' })],
      channels: [aChannelResource('stable', 'flatcar-3374.2.1')],
      groups: [aGroupResource('workers', { track: 'stable-workers', policy: { maxInProgress: 3 } })],
    });
    const group = resolution.catalog.groupByTrack.get('stable-workers');
    assert.equal(group?.name, 'workers');
    assert.equal(group?.policy.maxInProgress, 3);
    assert.equal(resolution.catalog.channelByName.get('stable')?.release?.version, '3374.2.1');
    assert.equal(resolution.groups.get('workers')?.version, '3374.2.1');
    assert.equal(resolution.groups.get('workers')?.resolved.status, 'True');
    assert.equal(resolution.channels.get('stable')?.resolved.status, 'True');
  });

  it('leaves out a group whose channel does not exist, naming spec.channel, and keeps the others', () => {
    const resolution = resolveCatalog({
      releases: [aReleaseResource('r1')],
      channels: [aChannelResource('stable', 'r1')],
      groups: [aGroupResource('lost', { channel: 'nightly' }), aGroupResource('fine')],
    });
    const lost = resolution.groups.get('lost');
    assert.equal(lost?.resolved.status, 'False');
    assert.equal(lost?.resolved.reason, 'UnknownChannel');
    assert.match(lost?.resolved.message ?? '', /^spec\.channel: UpdateChannel nightly does not exist/);
    assert.equal(resolution.catalog.groupByTrack.get('lost'), undefined);
    assert.equal(resolution.catalog.groupByTrack.get('fine')?.name, 'fine');
  });

  it('keeps a channel whose release does not exist, offering nothing, naming spec.release', () => {
    const resolution = resolveCatalog({
      releases: [],
      channels: [aChannelResource('stable', 'gone')],
      groups: [aGroupResource('workers')],
    });
    const channel = resolution.channels.get('stable');
    assert.equal(channel?.resolved.reason, 'UnknownRelease');
    assert.match(channel?.resolved.message ?? '', /^spec\.release: UpdateRelease gone does not exist/);
    assert.equal(resolution.catalog.channelByName.get('stable')?.release, undefined);
    assert.equal(resolution.groups.get('workers')?.version, undefined);
    assert.equal(resolution.groups.get('workers')?.resolved.status, 'True');
  });

  it('gives a track to the oldest group claiming it and names spec.track on the newer one', () => {
    const resolution = resolveCatalog({
      releases: [aReleaseResource('r1')],
      channels: [aChannelResource('stable', 'r1')],
      groups: [
        aGroupResource('newer', { track: 'shared', creationTimestamp: '2026-12-04T12:00:00Z' }),
        aGroupResource('older', { track: 'shared', creationTimestamp: '2026-12-04T09:00:00Z' }),
      ],
    });
    assert.equal(resolution.catalog.groupByTrack.get('shared')?.name, 'older');
    assert.equal(resolution.groups.get('newer')?.resolved.reason, 'DuplicateTrack');
    assert.match(
      resolution.groups.get('newer')?.resolved.message ?? '',
      /^spec\.track: track shared belongs to UpdateGroup older/,
    );
  });
});
