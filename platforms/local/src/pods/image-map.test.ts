import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  defaultImageMap,
  entryExecutables,
  etcdTagVersion,
  ImageMap,
  ImageMapError,
  type ImageMapInput,
} from './image-map.ts';
import { parseImageReference } from './image-reference.ts';

const binaries = {
  etcd: '/opt/strata/bin/etcd',
  etcdctl: '/opt/strata/bin/etcdctl',
  etcdutl: '/opt/strata/bin/etcdutl',
};

function map(input: ImageMapInput): ImageMap {
  return ImageMap.parse(input);
}

describe('image references', () => {
  it('normalizes Docker Hub names as containerd does', () => {
    assert.deepEqual(parseImageReference('busybox'), { repository: 'docker.io/library/busybox' });
    assert.deepEqual(parseImageReference('bitnami/etcd:3.6'), { repository: 'docker.io/bitnami/etcd', tag: '3.6' });
    assert.deepEqual(parseImageReference('index.docker.io/library/etcd:3'), {
      repository: 'docker.io/library/etcd',
      tag: '3',
    });
  });

  it('tells a registry port from a tag, and reads a digest', () => {
    assert.deepEqual(parseImageReference('localhost:5000/etcd'), { repository: 'localhost:5000/etcd' });
    assert.deepEqual(parseImageReference('registry.k8s.io/etcd:3.6.4-0@sha256:abc'), {
      repository: 'registry.k8s.io/etcd',
      tag: '3.6.4-0',
      digest: 'sha256:abc',
    });
  });
});

describe('ImageMap', () => {
  const etcd = { command: ['/opt/etcd'] as [string] };

  it('matches a repository key with any tag or digest', () => {
    const images = map({ 'registry.k8s.io/etcd': etcd });
    assert.equal(images.lookup('registry.k8s.io/etcd:3.6.4-0'), images.lookup('registry.k8s.io/etcd'));
    assert.ok(images.has('registry.k8s.io/etcd@sha256:0123'));
    assert.ok(!images.has('registry.k8s.io/etcd-backup:1'));
    assert.ok(!images.has('quay.io/etcd:1'));
  });

  it('matches a repository:tag key with that tag only, and prefers it to the repository key', () => {
    const pinned = { command: ['/opt/etcd-3.5'] as [string] };
    const images = map({ 'quay.io/coreos/etcd': etcd, 'quay.io/coreos/etcd:v3.5.0': pinned });
    assert.deepEqual(images.lookup('quay.io/coreos/etcd:v3.5.0'), pinned);
    assert.deepEqual(images.lookup('quay.io/coreos/etcd:v3.6.0'), etcd);
    assert.ok(!map({ 'quay.io/coreos/etcd:v3.5.0': pinned }).has('quay.io/coreos/etcd:v3.6.0'));
  });

  it('treats an untagged image as :latest', () => {
    const images = map({ 'busybox:latest': etcd });
    assert.ok(images.has('busybox'));
    assert.ok(images.has('docker.io/library/busybox'));
    assert.ok(!images.has('busybox:1.36'));
  });

  it('rejects a bad map, naming every bad field', () => {
    assert.throws(
      () => map({ 'registry.k8s.io/etcd@sha256:abc': etcd, 'quay.io/x': { command: ['relative/etcd'] as [string] } }),
      (error: unknown) => {
        assert.ok(error instanceof ImageMapError);
        assert.match(error.message, /registry\.k8s\.io\/etcd@sha256:abc.*not a digest/);
        assert.match(error.message, /quay\.io\/x\.command\.0: must be an absolute path/);
        return true;
      },
    );
    assert.throws(() => ImageMap.parse({ 'quay.io/x': { command: [] } }), ImageMapError);
    assert.throws(() => ImageMap.parse({ 'quay.io/x': { command: ['/x'], extra: true } }), ImageMapError);
    assert.throws(
      () => ImageMap.parse({ 'quay.io/x': { command: ['/x'], executables: { 'bin/sh': '/bin/sh' } } }),
      ImageMapError,
    );
  });

  it('is extended with with(), a later entry replacing one with the same key', () => {
    const base = map({ 'registry.k8s.io/etcd': etcd });
    const operator = { command: ['/opt/operator'] as [string] };
    const replaced = { command: ['/opt/other-etcd'] as [string] };
    const extended = base.with({ 'ghcr.io/strata-dev/etcd-operator': operator, 'registry.k8s.io/etcd': replaced });
    assert.deepEqual(extended.lookup('ghcr.io/strata-dev/etcd-operator:v1'), operator);
    assert.deepEqual(extended.lookup('registry.k8s.io/etcd:3.6.4-0'), replaced);
    assert.deepEqual(base.lookup('registry.k8s.io/etcd:3.6.4-0'), etcd, 'the original map is unchanged');
  });
});

/** Three etcd releases, as the local platform resolves them. */
const releases = new Map([
  [
    'v3.5.36',
    {
      etcd: '/cache/etcd-v3.5.36/etcd',
      etcdctl: '/cache/etcdctl-v3.5.36/etcdctl',
      etcdutl: '/cache/etcdutl-v3.5.36/etcdutl',
    },
  ],
  [
    'v3.6.15',
    {
      etcd: '/cache/etcd-v3.6.15/etcd',
      etcdctl: '/cache/etcdctl-v3.6.15/etcdctl',
      etcdutl: '/cache/etcdutl-v3.6.15/etcdutl',
    },
  ],
  ['v3.6.16', binaries],
]);

describe('etcd image tags', () => {
  it('read the etcd version from both tag styles', () => {
    assert.equal(etcdTagVersion('3.6.16-0'), 'v3.6.16');
    assert.equal(etcdTagVersion('v3.5.36'), 'v3.5.36');
    assert.equal(etcdTagVersion('3.6.15'), 'v3.6.15');
    assert.equal(etcdTagVersion('latest'), undefined);
    assert.equal(etcdTagVersion('3.6'), undefined);
  });
});

describe('defaultImageMap', () => {
  const images = defaultImageMap(releases);

  it('runs the etcd release that the tag of an official etcd image names', () => {
    for (const [image, version] of [
      ['registry.k8s.io/etcd:3.6.16-0', 'v3.6.16'],
      ['registry.k8s.io/etcd:3.5.36-0', 'v3.5.36'],
      ['quay.io/coreos/etcd:v3.6.15', 'v3.6.15'],
      ['gcr.io/etcd-development/etcd:v3.5.36', 'v3.5.36'],
    ] as const) {
      const entry = images.lookup(image);
      assert.ok(entry, image);
      assert.deepEqual(Object.fromEntries(entryExecutables(entry)), releases.get(version), image);
    }
  });

  it('refuses a tag that names no etcd release built here, saying which ones are', () => {
    for (const image of ['registry.k8s.io/etcd:3.4.37-0', 'quay.io/coreos/etcd:v3.6.4']) {
      assert.equal(images.lookup(image), undefined, image);
      assert.ok(images.has(image), `${image} is still taken, to fail with the reason`);
      const decision = images.decide(image);
      assert.ok(decision !== undefined && 'refused' in decision, image);
      assert.match(decision.refused, /which this machine does not run \(it runs v3\.5\.36, v3\.6\.15, v3\.6\.16\)/);
    }
    const untagged = images.decide('quay.io/coreos/etcd');
    assert.ok(untagged !== undefined && 'refused' in untagged);
    assert.match(untagged.refused, /quay\.io\/coreos\/etcd:latest names no etcd version/);
  });

  it('lets an exact image key override a tag, and knows nothing of other repositories', () => {
    const special = { command: ['/opt/patched-etcd'] as [string] };
    const extended = images.with({ 'registry.k8s.io/etcd:3.6.16-0': special });
    assert.deepEqual(extended.lookup('registry.k8s.io/etcd:3.6.16-0'), special);
    assert.deepEqual(extended.lookup('registry.k8s.io/etcd:3.5.36-0')?.command, [releases.get('v3.5.36')?.etcd]);
    assert.ok(!images.has('ghcr.io/strata-dev/etcd-operator:latest'));
    assert.ok(!images.has('docker.io/library/etcd:3.6.16'));
  });

  it('takes the tag rules of a map added with with(), replacing those of the same repository', () => {
    const other = defaultImageMap(new Map([['v3.5.36', binaries]]));
    const merged = ImageMap.parse({ 'strata.test/shell': { command: ['/bin/sh'] } })
      .with(images)
      .with(other);
    assert.deepEqual(merged.lookup('registry.k8s.io/etcd:3.5.36-0')?.command, [binaries.etcd]);
    assert.equal(merged.lookup('registry.k8s.io/etcd:3.6.16-0'), undefined, 'the later rule decides alone');
    assert.ok(merged.has('strata.test/shell:1.0'));
  });
});
