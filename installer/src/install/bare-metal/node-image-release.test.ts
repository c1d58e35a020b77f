// The preflight's check that the boot server serves the node image release the machines will install, against
// Strata's real boot server serving an assets directory on loopback.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestBootServer, type TestBootServer } from '@strata/boot-server/testing';
import type { NodeImage } from '@strata/node-image';
import { checkServedNodeImage, nodeImageFor, publishNodeImage, type NodeImageForConfig } from './node-image-release.ts';

const VERSION = '0.9.0';

/** A node image of small files in `dir`: what the check compares is the boot server's answers with their sizes. */
async function aNodeImage(dir: string): Promise<NodeImage> {
  await mkdir(dir, { recursive: true });
  const file = async (name: string, bytes: number) => {
    const path = join(dir, name);
    await writeFile(path, Buffer.alloc(bytes, name.length));
    return path;
  };
  return {
    version: VERSION,
    inputsHash: 'test',
    dir,
    kernel: await file('vmlinuz', 1024),
    initrd: await file('initrd.img', 2048),
    rootfs: await file('rootfs.ext4', 1),
    usr: await file('usr.ext4', 1),
    disk: await file('disk.img', 1),
    installImage: await file('disk.img.zst', 4096),
    rootLabel: 'ROOT',
    source: 'cache',
  };
}

describe("the preflight's check of the node image on the boot server", () => {
  let scratch: string;
  let assets: string;
  let server: TestBootServer;
  let found: NodeImageForConfig;

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'strata-node-image-release-'));
    assets = join(scratch, 'assets');
    const image = await aNodeImage(join(scratch, 'cache'));
    found = { image, release: { version: VERSION, installImageSha256: 'ab'.repeat(32) } };
    server = await startTestBootServer({ assetsPath: assets });
  });

  after(async () => {
    await server?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  const publish = async (sizes: { vmlinuz?: number; 'initrd.img'?: number; 'disk.img.zst'?: number }) => {
    const dir = join(assets, 'strata', VERSION);
    await rm(join(assets, 'strata'), { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    for (const [name, bytes] of Object.entries(sizes)) await writeFile(join(dir, name), Buffer.alloc(bytes));
  };

  it('passes when the boot server serves the three files of the release, at their sizes', async () => {
    await publish({ vmlinuz: 1024, 'initrd.img': 2048, 'disk.img.zst': 4096 });
    assert.deepEqual(await checkServedNodeImage(server.url, found), []);
  });

  it('names each missing file with the answer, and says how to publish the release', async () => {
    await publish({ vmlinuz: 1024 });
    const [failure, ...more] = await checkServedNodeImage(server.url, found);
    assert.deepEqual(more, []);
    assert.match(failure ?? '', /does not serve node image 0\.9\.0/);
    assert.match(failure ?? '', new RegExp(`HEAD ${server.url}/assets/strata/0\\.9\\.0/initrd\\.img with 404`));
    assert.match(failure ?? '', new RegExp(`HEAD ${server.url}/assets/strata/0\\.9\\.0/disk\\.img\\.zst with 404`));
    assert.doesNotMatch(failure ?? '', /vmlinuz with/);
    assert.match(
      failure ?? '',
      /publish it: strata node-image publish --assets-path <the boot server's --assets-path>/,
    );
  });

  it('refuses a served install image of another size: another release under this version', async () => {
    await publish({ vmlinuz: 1024, 'initrd.img': 2048, 'disk.img.zst': 4095 });
    const [failure] = await checkServedNodeImage(server.url, found);
    assert.match(failure ?? '', /disk\.img\.zst with 4095 bytes, but node image 0\.9\.0's disk\.img\.zst has 4096/);
  });

  it('publishes the release into the assets directory whole, where the boot server then serves it', async () => {
    await rm(join(assets, 'strata'), { recursive: true, force: true });
    const published = await publishNodeImage(found.image, assets);
    assert.equal(published.dir, join(assets, 'strata', VERSION));
    assert.deepEqual((await readdir(published.dir)).sort(), ['disk.img.zst', 'initrd.img', 'vmlinuz']);
    for (const [key, path] of Object.entries(published.files)) {
      const source = found.image[key as keyof typeof published.files];
      assert.deepEqual(await readFile(path), await readFile(source), key);
      assert.equal((await stat(path)).mode & 0o777, 0o644, `${key} is readable by the server`);
    }
    assert.deepEqual(await checkServedNodeImage(server.url, found), []);
    // Again over what is there: the same files, no partial copy left.
    await publishNodeImage(found.image, assets);
    assert.deepEqual((await readdir(published.dir)).sort(), ['disk.img.zst', 'initrd.img', 'vmlinuz']);
  });

  it('says when the boot server does not answer', async () => {
    const [failure] = await checkServedNodeImage('http://127.0.0.1:9/', found);
    assert.match(failure ?? '', /did not answer HEAD http:\/\/127\.0\.0\.1:9\/assets\/strata\/0\.9\.0\/vmlinuz/);
  });

  it('builds no node image for a config on another OS', async () => {
    const messages: string[] = [];
    assert.equal(
      await nodeImageFor({ os: { name: 'flatcar', channel: 'stable' } }, (m) => messages.push(m)),
      undefined,
    );
    assert.deepEqual(messages, []);
  });
});
