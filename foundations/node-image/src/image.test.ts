// The cache rule: an image is taken from the cache only when its recorded sums match its bytes; one that does not
// match is rebuilt, and the caller gets the rebuilt bytes, never the tampered ones.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ARTIFACTS, NODE_IMAGE_CACHE_RETAIN } from './cache.ts';
import {
  ensureNodeImage,
  inputsHash,
  type NodeImageBuilder,
  type NodeImageInputs,
  type NodeImagePlan,
} from './image.ts';

const inputs: NodeImageInputs = {
  format: 5,
  version: '0.0.0-test',
  suite: 'bookworm',
  aptSources: 'Types: deb\n',
  packages: ['systemd'],
  dpkgOptions: [],
  rootLabel: 'strata-root',
  binaries: [{ name: 'runc', path: '/usr/bin/runc', sha256: 'a'.repeat(64) }],
  files: [],
  initramfsFiles: [],
  symlinks: [],
  directories: [],
  disk: { espSizeMiB: 256, usrSlotSizeMiB: 1536, partitions: [], espFiles: [] },
};
const plan: NodeImagePlan = {
  inputs,
  binarySources: { runc: '/nonexistent' },
  aptSourcesPath: '/nonexistent',
  ignitionDracutFiles: [],
};

/** A stand-in for mmdebstrap: writes each artifact with the build's number, and counts its calls. */
function countingBuilder(): { build: NodeImageBuilder; calls: () => number } {
  let calls = 0;
  return {
    build: async (_plan, outDir) => {
      calls += 1;
      for (const artifact of ARTIFACTS) await writeFile(join(outDir, artifact), `${artifact} of build ${calls}\n`);
    },
    calls: () => calls,
  };
}

describe('ensureNodeImage', () => {
  let cacheRoot: string;
  const quiet = () => undefined;
  before(async () => {
    cacheRoot = await mkdtemp(join(tmpdir(), 'strata-node-image-cache-'));
  });
  after(async () => {
    await rm(cacheRoot, { recursive: true, force: true });
  });

  it('builds once, then takes the image from the cache while its sums match', async () => {
    const builder = countingBuilder();
    const first = await ensureNodeImage({ cacheRoot, plan, build: builder.build, progress: quiet });
    assert.equal(first.source, 'build');
    assert.ok(first.dir.includes(inputsHash(inputs).slice(0, 16)));
    const second = await ensureNodeImage({ cacheRoot, plan, build: builder.build, progress: quiet });
    assert.equal(second.source, 'cache');
    assert.equal(second.dir, first.dir);
    assert.equal(builder.calls(), 1);
    assert.equal(await readFile(second.rootfs, 'utf8'), 'rootfs.ext4 of build 1\n');
  });

  for (const artifact of ARTIFACTS) {
    it(`rebuilds an image whose ${artifact} was tampered with, and never returns the tampered file`, async () => {
      const builder = countingBuilder();
      const image = await ensureNodeImage({ cacheRoot, plan, build: builder.build, progress: quiet });
      const path = join(image.dir, artifact);
      await writeFile(path, 'tampered\n');
      const messages: string[] = [];
      const again = await ensureNodeImage({
        cacheRoot,
        plan,
        build: builder.build,
        progress: (message) => messages.push(message),
      });
      assert.equal(again.source, 'build');
      assert.equal(builder.calls(), 1);
      assert.equal(await readFile(path, 'utf8'), `${artifact} of build 1\n`);
      assert.ok(
        messages.some((message) => message.includes(`${artifact}: checksum mismatch`)),
        messages.join('\n'),
      );
    });
  }

  it('rebuilds an image whose sums file is gone', async () => {
    const builder = countingBuilder();
    const image = await ensureNodeImage({ cacheRoot, plan, build: builder.build, progress: quiet });
    await rm(join(image.dir, 'SHA256SUMS'));
    const again = await ensureNodeImage({ cacheRoot, plan, build: builder.build, progress: quiet });
    assert.equal(again.source, 'build');
    assert.equal(builder.calls(), 1);
  });

  it('rebuilds an image whose recorded inputs are not the ones asked for', async () => {
    const builder = countingBuilder();
    const image = await ensureNodeImage({ cacheRoot, plan, build: builder.build, progress: quiet });
    const other = { ...inputs, packages: ['systemd', 'udev'] };
    await writeFile(join(image.dir, 'inputs.json'), JSON.stringify(other));
    const again = await ensureNodeImage({ cacheRoot, plan, build: builder.build, progress: quiet });
    assert.equal(again.source, 'build');
    assert.equal(builder.calls(), 1);
    assert.deepEqual(JSON.parse(await readFile(join(again.dir, 'inputs.json'), 'utf8')), inputs);
  });

  it('keys the cache by the inputs: another binary checksum is another image', async () => {
    const builder = countingBuilder();
    const image = await ensureNodeImage({ cacheRoot, plan, build: builder.build, progress: quiet });
    const changed: NodeImagePlan = {
      ...plan,
      inputs: { ...inputs, binaries: [{ name: 'runc', path: '/usr/bin/runc', sha256: 'b'.repeat(64) }] },
    };
    const other = await ensureNodeImage({ cacheRoot, plan: changed, build: builder.build, progress: quiet });
    assert.equal(other.source, 'build');
    assert.notEqual(other.dir, image.dir);
  });

  it('keeps the newest images only: a build removes the oldest beyond the retained count, never the one it built', async () => {
    const root = await mkdtemp(join(tmpdir(), 'strata-node-image-prune-'));
    try {
      const builder = countingBuilder();
      const built: string[] = [];
      const removals: string[] = [];
      for (let index = 0; index < NODE_IMAGE_CACHE_RETAIN + 2; index++) {
        const versioned: NodeImagePlan = { ...plan, inputs: { ...inputs, version: `0.0.${index}-test` } };
        const image = await ensureNodeImage({
          cacheRoot: root,
          plan: versioned,
          build: builder.build,
          progress: (line) => {
            if (line.startsWith('removed ')) removals.push(line);
          },
        });
        built.push(image.dir);
      }
      const left = (await readdir(join(root, 'node-image'))).filter((name) => !name.startsWith('.')).sort();
      const newest = built.slice(-NODE_IMAGE_CACHE_RETAIN).map((dir) => dir.split('/').at(-1) ?? '');
      assert.deepEqual(left, [...newest].sort());
      assert.equal(removals.length, 2, removals.join('\n'));
      assert.ok(removals[0]?.includes(built[0] ?? '?'), `the oldest image removed first: ${removals.join('\n')}`);
      // Taking a retained image from the cache removes nothing and builds nothing.
      const again = await ensureNodeImage({
        cacheRoot: root,
        plan: { ...plan, inputs: { ...inputs, version: `0.0.${NODE_IMAGE_CACHE_RETAIN + 1}-test` } },
        build: builder.build,
        progress: quiet,
      });
      assert.equal(again.source, 'cache');
      assert.equal(builder.calls(), NODE_IMAGE_CACHE_RETAIN + 2);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('leaves no entry behind when the build fails', async () => {
    const failing: NodeImageBuilder = () => Promise.reject(new Error('mmdebstrap failed'));
    const failingPlan: NodeImagePlan = { ...plan, inputs: { ...inputs, version: '0.0.0-failing' } };
    await assert.rejects(
      ensureNodeImage({ cacheRoot, plan: failingPlan, build: failing, progress: quiet }),
      /mmdebstrap failed/,
    );
    const builder = countingBuilder();
    const image = await ensureNodeImage({ cacheRoot, plan: failingPlan, build: builder.build, progress: quiet });
    assert.equal(image.source, 'build');
  });
});
