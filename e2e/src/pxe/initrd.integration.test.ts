import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { UDHCPC_SCRIPT_PATH } from './guest-init.ts';
import { findPxeHostTools, type PxeHostTools } from './host-tools.ts';
import { buildInitrd } from './initrd.ts';
import { pipeThrough } from '@strata/host';

describe('the PXE test initramfs', () => {
  let tools: PxeHostTools;
  let cacheDir: string;
  before(async () => {
    tools = await findPxeHostTools();
    cacheDir = await mkdtemp(join(tmpdir(), 'strata-initrd-cache-'));
  });
  after(() => rm(cacheDir, { recursive: true, force: true }));

  it('holds busybox, the init scripts and the virtio NIC modules, loaded in dependency order', async () => {
    const initrd = await buildInitrd(tools, cacheDir);
    assert.equal(initrd.built, true);

    const archive = gunzipSync(await readFile(initrd.path));
    const listing = (await pipeThrough(tools.cpio, ['-itv', '--quiet'], archive)).toString('utf8');
    const entries = new Map(
      listing
        .trim()
        .split('\n')
        .map((line) => {
          const fields = line.trim().split(/\s+/);
          return [
            fields.at(-1) ?? '',
            { mode: fields[0] ?? '', owner: `${fields[2]}:${fields[3]}`, size: Number(fields[4]) },
          ] as const;
        }),
    );
    for (const path of ['init', UDHCPC_SCRIPT_PATH.slice(1), 'bin/busybox']) {
      assert.equal(entries.get(path)?.mode, '-rwxr-xr-x', `${path} is executable`);
    }
    for (const entry of entries.values()) assert.equal(entry.owner, 'root:root');
    assert.equal(entries.get('bin/busybox')?.size, (await stat(tools.busybox)).size, 'busybox is packed whole');
    for (const name of initrd.modules) assert.ok(entries.has(`lib/modules/${name}.ko`), `${name}.ko is in the archive`);
    assert.ok(initrd.modules.includes('virtio_net') && initrd.modules.includes('virtio_pci'));

    const init = (await pipeThrough(tools.cpio, ['-i', '--to-stdout', '--quiet', 'init'], archive)).toString('utf8');
    const insmods = [...init.matchAll(/^insmod \/lib\/modules\/(\S+)\.ko/gm)].map((match) => match[1]);
    assert.deepEqual(insmods, initrd.modules);
    assert.ok(insmods.indexOf('virtio_ring') < insmods.indexOf('virtio'), 'virtio_ring loads before virtio');
  });

  it('comes from the cache when nothing that goes in has changed', async () => {
    const first = await buildInitrd(tools, cacheDir);
    const second = await buildInitrd(tools, cacheDir);
    assert.equal(second.built, false);
    assert.equal(second.path, first.path);
  });
});
