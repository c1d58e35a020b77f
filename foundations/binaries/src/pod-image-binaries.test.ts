// The pod images' binaries and the registry, as the resolver provides them: each prints its pinned version and
// is static, as an image of the binary alone (pause, kube-proxy) has no C library to load.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCommand } from '@strata/host';
import { DISTRIBUTION_VERSION, KUBERNETES_VERSION } from './components.ts';
import { PAUSE_VERSION, resolvePause } from './pause.ts';
import { resolveBinary } from './resolve.ts';
import { elfInterpreter } from './testing/elf.ts';

const quiet = (): undefined => undefined;

async function binaries(): Promise<Record<'registry' | 'kube-proxy' | 'pause', string>> {
  return {
    registry: await resolveBinary('registry', { progress: quiet }),
    'kube-proxy': await resolveBinary('kube-proxy', { progress: quiet }),
    pause: await resolvePause({ progress: quiet }),
  };
}

describe("the pod images' binaries", () => {
  it('print their pinned versions', async () => {
    const paths = await binaries();
    const printed = async (path: string, args: readonly string[]): Promise<string> => {
      const result = await runCommand(path, args);
      return result.stdout + result.stderr;
    };
    assert.match(
      await printed(paths.registry, ['--version']),
      new RegExp(` github\\.com/distribution/distribution/v3 ${DISTRIBUTION_VERSION.replaceAll('.', '\\.')}$`, 'm'),
    );
    assert.equal(await printed(paths['kube-proxy'], ['--version']), `Kubernetes ${KUBERNETES_VERSION}\n`);
    // build/pause's Makefile stamps v<TAG>-<git describe>; here the Kubernetes release stands for the describe.
    assert.equal(await printed(paths.pause, ['-v']), `pause.c v${PAUSE_VERSION}-${KUBERNETES_VERSION}\n`);
  });

  it('are static: none names a dynamic loader', async () => {
    for (const [name, path] of Object.entries(await binaries())) {
      assert.equal(await elfInterpreter(path), undefined, `${name} (${path}) is dynamically linked`);
    }
  });
});
