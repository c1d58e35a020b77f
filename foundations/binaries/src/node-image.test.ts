// The node image's binaries, as the resolver provides them (from the cache, else built from their wrapper modules):
// each prints its pinned version, and each runs without a C library or dynamic loader, as a node image has neither
// Debian's libc nor its libseccomp.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
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
import { elfInterpreter } from './testing/elf.ts';

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
