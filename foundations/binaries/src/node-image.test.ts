// The node image's binaries, as the resolver provides them (from the cache, else built from their wrapper modules):
// each prints its pinned version, and each runs without a C library or dynamic loader, as a node image has neither
// Debian's libc nor its libseccomp.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { open } from 'node:fs/promises';
import { runCommand } from '@strata/host';
import {
  CNI_PLUGIN_NAMES,
  CNI_PLUGINS_VERSION,
  CONTAINERD_VERSION,
  CRI_TOOLS_VERSION,
  IGNITION_VERSION,
  KUBERNETES_VERSION,
  NODE_IMAGE_NAMES,
  RUNC_VERSION,
  type NodeImageName,
} from './components.ts';
import { resolveBinaries } from './resolve.ts';

const quiet = (): undefined => undefined;
const escaped = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function resolveNodeImage(): Promise<Record<NodeImageName, string>> {
  const { paths } = await resolveBinaries({ components: NODE_IMAGE_NAMES, progress: quiet });
  const resolved: Partial<Record<NodeImageName, string>> = {};
  for (const name of NODE_IMAGE_NAMES) {
    const path = paths[name];
    assert.ok(path !== undefined, `${name} was not resolved`);
    resolved[name] = path;
  }
  return resolved as Record<NodeImageName, string>;
}

/** The ELF program interpreter (the dynamic loader) a binary names, if any: a static binary names none. */
async function elfInterpreter(path: string): Promise<string | undefined> {
  const file = await open(path, 'r');
  try {
    const header = Buffer.alloc(64);
    await file.read(header, 0, 64, 0);
    assert.deepEqual([...header.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46], `${path} is no ELF file`);
    assert.equal(header[4], 2, `${path} is no 64-bit ELF file`);
    assert.equal(header[5], 1, `${path} is no little-endian ELF file`);
    const programHeaders = Number(header.readBigUInt64LE(0x20));
    const entrySize = header.readUInt16LE(0x36);
    const entries = header.readUInt16LE(0x38);
    const table = Buffer.alloc(entrySize * entries);
    await file.read(table, 0, table.length, programHeaders);
    for (let index = 0; index < entries; index++) {
      const entry = table.subarray(index * entrySize, (index + 1) * entrySize);
      const PT_INTERP = 3;
      if (entry.readUInt32LE(0) !== PT_INTERP) continue;
      const name = Buffer.alloc(Number(entry.readBigUInt64LE(0x20)));
      await file.read(name, 0, name.length, Number(entry.readBigUInt64LE(0x08)));
      return name.toString('utf8').replace(/\0+$/, '');
    }
    return undefined;
  } finally {
    await file.close();
  }
}

describe("the node image's binaries", () => {
  it('print their pinned versions', async () => {
    const paths = await resolveNodeImage();
    const printed = async (name: NodeImageName, args: readonly string[]): Promise<string> => {
      const result = await runCommand(paths[name], args);
      return result.stdout + result.stderr;
    };
    assert.match(
      await printed('kubelet', ['--version']),
      new RegExp(`^Kubernetes ${escaped(KUBERNETES_VERSION)}$`, 'm'),
    );
    for (const name of ['containerd', 'ctr'] as const) {
      assert.match(
        await printed(name, ['--version']),
        new RegExp(`^${name} github\\.com/containerd/containerd/v2 ${escaped(CONTAINERD_VERSION)}\\b`, 'm'),
      );
    }
    assert.match(
      await printed('containerd-shim-runc-v2', ['--version']),
      new RegExp(`^\\s*Version:\\s+${escaped(CONTAINERD_VERSION)}$`, 'm'),
    );
    const runc = await printed('runc', ['--version']);
    assert.match(runc, new RegExp(`^runc version ${escaped(RUNC_VERSION.replace(/^v/, ''))}$`, 'm'));
    // Printed only when runc was built with the seccomp tag and linked libseccomp: the reason it is built with cgo.
    assert.match(runc, /^libseccomp: 2\.\d+\.\d+$/m);
    assert.match(
      await printed('crictl', ['--version']),
      new RegExp(`^crictl version ${escaped(CRI_TOOLS_VERSION.replace(/^v/, ''))}$`, 'm'),
    );
    // Stamped as Ignition's build script stamps it; the default would be "Ignition was not built properly".
    assert.match(await printed('ignition', ['-version']), new RegExp(`^Ignition ${escaped(IGNITION_VERSION)}$`, 'm'));
    assert.match(
      await printed('ignition-validate', ['--version']),
      new RegExp(`^Ignition ${escaped(IGNITION_VERSION)}$`, 'm'),
    );
    for (const plugin of CNI_PLUGIN_NAMES) {
      // A plugin run without CNI_COMMAND names itself and its build version.
      const result = await runCommand(paths[plugin], [], { env: { PATH: '/usr/bin:/bin' } });
      assert.match(
        result.stdout + result.stderr,
        new RegExp(`^CNI ${escaped(plugin)} plugin ${escaped(CNI_PLUGINS_VERSION)}$`, 'm'),
      );
    }
  });

  it('are static: none names a dynamic loader (runc and Ignition, built with cgo, are static PIEs)', async () => {
    const paths = await resolveNodeImage();
    for (const name of NODE_IMAGE_NAMES) {
      assert.equal(await elfInterpreter(paths[name]), undefined, `${name} (${paths[name]}) is dynamically linked`);
    }
  });
});
