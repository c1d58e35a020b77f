import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { buildImage, OciImageBuildError, sha256Digest, type ImageSpec } from './image.ts';

/** A small image: a binary in a subdirectory, a config file and a link. */
function imageSpec(overrides: Partial<ImageSpec> = {}): ImageSpec {
  return {
    files: [
      { path: 'usr/local/bin/tool', content: '#!/bin/sh\necho tool\n', mode: 0o755 },
      { path: 'etc/tool.conf', content: 'level=1\n', mode: 0o644 },
      { path: 'usr/bin/tool', symlinkTo: '../local/bin/tool' },
    ],
    entrypoint: ['/usr/local/bin/tool'],
    env: ['PATH=/usr/local/bin:/usr/bin'],
    user: '65535:65535',
    ...overrides,
  };
}

interface Listed {
  readonly path: string;
  readonly type: string;
  readonly mode: number | undefined;
  readonly uid: number | undefined;
  readonly gid: number | undefined;
  readonly mtime: number | undefined;
  readonly linkpath: string | undefined;
}

/** The layer's entries as node-tar's parser reads them. */
function listLayer(gzipped: Uint8Array): Listed[] {
  const entries: Listed[] = [];
  const parser = new Parser({
    onReadEntry: (entry: ReadEntry) => {
      entries.push({
        path: entry.path,
        type: entry.type,
        mode: entry.mode,
        uid: entry.uid,
        gid: entry.gid,
        mtime: entry.mtime?.getTime(),
        linkpath: entry.linkpath,
      });
      entry.resume();
    },
  });
  parser.end(Buffer.from(gzipped));
  return entries;
}

const text = (bytes: Uint8Array): unknown => JSON.parse(Buffer.from(bytes).toString('utf8'));

describe('buildImage', () => {
  it('gives the same digests for the same files, whatever their order', async () => {
    const spec = imageSpec();
    const first = await buildImage(spec);
    const reordered = await buildImage({ ...spec, files: [...spec.files].reverse() });
    assert.equal(reordered.layer.digest, first.layer.digest);
    assert.equal(reordered.manifest.digest, first.manifest.digest);
  });

  it("changes the layer's digest when a mode or a byte changes", async () => {
    const base = await buildImage(imageSpec());
    const files = imageSpec().files;
    const withMode = files.map((file) => (file.path === 'etc/tool.conf' ? { ...file, mode: 0o600 } : file));
    const withContent = files.map((file) => (file.path === 'etc/tool.conf' ? { ...file, content: 'level=2\n' } : file));
    assert.notEqual((await buildImage(imageSpec({ files: withMode }))).layer.digest, base.layer.digest);
    assert.notEqual((await buildImage(imageSpec({ files: withContent }))).layer.digest, base.layer.digest);
  });

  it('writes sorted entries owned by root at the epoch, with parent directories', async () => {
    const image = await buildImage(imageSpec());
    assert.deepEqual(
      listLayer(image.layer.bytes).map(({ path, type, mode, uid, gid, mtime }) => ({
        path,
        type,
        mode,
        uid,
        gid,
        mtime,
      })),
      [
        ['etc/', 'Directory', 0o755],
        ['etc/tool.conf', 'File', 0o644],
        ['usr/', 'Directory', 0o755],
        ['usr/bin/', 'Directory', 0o755],
        ['usr/bin/tool', 'SymbolicLink', 0o777],
        ['usr/local/', 'Directory', 0o755],
        ['usr/local/bin/', 'Directory', 0o755],
        ['usr/local/bin/tool', 'File', 0o755],
      ].map(([path, type, mode]) => ({ path, type, mode, uid: 0, gid: 0, mtime: 0 })),
    );
    const link = listLayer(image.layer.bytes).find((entry) => entry.path === 'usr/bin/tool');
    assert.equal(link?.linkpath, '../local/bin/tool');
  });

  it("records the uncompressed layer's digest as the diff ID, and the config and layer in the manifest", async () => {
    const image = await buildImage(imageSpec());
    assert.equal(image.diffId, sha256Digest(gunzipSync(image.layer.bytes)));
    assert.equal(image.layer.digest, sha256Digest(image.layer.bytes));
    assert.deepEqual(text(image.config.bytes), {
      architecture: 'amd64',
      os: 'linux',
      config: {
        User: '65535:65535',
        Env: ['PATH=/usr/local/bin:/usr/bin'],
        Entrypoint: ['/usr/local/bin/tool'],
      },
      rootfs: { type: 'layers', diff_ids: [image.diffId] },
    });
    assert.deepEqual(text(image.manifest.bytes), {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: image.config.digest,
        size: image.config.size,
      },
      layers: [
        {
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          digest: image.layer.digest,
          size: image.layer.size,
        },
      ],
    });
  });

  it("takes a host file's bytes", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-oci-test-'));
    try {
      const host = join(dir, 'binary');
      await writeFile(host, 'the same bytes');
      const fromHost = await buildImage(imageSpec({ files: [{ path: 'bin/x', hostFile: host, mode: 0o755 }] }));
      const inline = await buildImage(
        imageSpec({ files: [{ path: 'bin/x', content: 'the same bytes', mode: 0o755 }] }),
      );
      assert.equal(fromHost.layer.digest, inline.layer.digest);
      await assert.rejects(
        buildImage(imageSpec({ files: [{ path: 'bin/x', hostFile: join(dir, 'absent'), mode: 0o755 }] })),
        (error: unknown) =>
          error instanceof OciImageBuildError && /cannot read .*absent for the image's \/bin\/x/.test(error.message),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses absolute, dotted and repeated paths, a file under a file, and a bad user', async () => {
    const cases: [string, ImageSpec, RegExp][] = [
      ['absolute', imageSpec({ files: [{ path: '/pause', content: '', mode: 0o755 }] }), /relative path/],
      ['dotted', imageSpec({ files: [{ path: 'a/../b', content: '', mode: 0o755 }] }), /relative path/],
      [
        'repeated',
        imageSpec({
          files: [
            { path: 'a', content: '', mode: 0o644 },
            { path: 'a', content: 'x', mode: 0o644 },
          ],
        }),
        /each path at most once/,
      ],
      [
        'file under a file',
        imageSpec({
          files: [
            { path: 'a', content: '', mode: 0o644 },
            { path: 'a/b', content: '', mode: 0o644 },
          ],
        }),
        /both a file and another file's directory/,
      ],
      ['user', imageSpec({ user: 'nobody' }), /uid or uid:gid/],
    ];
    for (const [name, spec, message] of cases) {
      await assert.rejects(
        buildImage(spec),
        (error: unknown) => error instanceof OciImageBuildError && message.test(error.message),
        name,
      );
    }
  });
});
