import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { renderConfig } from '../../testing/fixtures.ts';
import { TEST_SYSEXT_SHA512 } from '../../testing/sysext-pin.ts';
import { ASSET_PATHS } from '../layout.ts';
import type { RenderConfig } from '../render-config.ts';
import { applyRenderPlan, planClusterRender } from '../render.ts';
import { UnpinnedDownloadError } from './ignition.ts';

interface RemoteFile {
  readonly path: string;
  readonly contents?: { readonly source?: string; readonly verification?: { readonly hash?: string } };
}

const bareMetal = (overrides: Partial<RenderConfig>): RenderConfig =>
  renderConfig({
    name: 'pin',
    platform: 'bare-metal',
    bareMetal: {
      machines: [{ name: 'm1', mac: '52:54:00:00:00:01', domain: 'm1.strata.test', role: 'controller' }],
    },
    workerPools: [],
    sshAuthorizedKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHnHZ6wNnwMm4xZbIh2P7xKTGk9Tg1jqbHBe7f6bI0mO pin@strata'],
    ...overrides,
  });

describe("the kubelet system extension's download", () => {
  let scratch: string;
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'strata-sysext-pin-'));
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  async function remoteFiles(config: RenderConfig, node: string): Promise<RemoteFile[]> {
    const dir = await mkdtemp(join(scratch, 'render-'));
    await applyRenderPlan(await planClusterRender({ config, dir }));
    const ignition = JSON.parse(await readFile(join(dir, ASSET_PATHS.ignition(node)), 'utf8')) as {
      storage?: { files?: RemoteFile[] };
    };
    return (ignition.storage?.files ?? []).filter((file) => file.contents?.source?.startsWith('https://') === true);
  }

  it('carries the pinned sha512, which Ignition checks before using the image', async () => {
    const files = await remoteFiles(bareMetal({ kubernetesSysext: { sha512: TEST_SYSEXT_SHA512 } }), 'm1');
    assert.equal(files.length, 1);
    assert.equal(files[0]?.contents?.verification?.hash, `sha512-${TEST_SYSEXT_SHA512}`);
  });

  it('comes from the mirror the config names', async () => {
    const url = 'https://mirror.dc1.strata.test/kubernetes-v1.36.3-x86-64.raw';
    const files = await remoteFiles(bareMetal({ kubernetesSysext: { url, sha512: TEST_SYSEXT_SHA512 } }), 'm1');
    assert.equal(files[0]?.contents?.source, url);
  });

  it('is never rendered unpinned for a real machine unless the config allows it', async () => {
    await assert.rejects(remoteFiles(bareMetal({}), 'm1'), (error: unknown) => {
      assert.ok(error instanceof UnpinnedDownloadError);
      assert.match(error.message, /kubernetesSysext\.sha512 is required on bare-metal/);
      return true;
    });
    const allowed = await remoteFiles(bareMetal({ allowUnverifiedDownloads: true }), 'm1');
    assert.equal(allowed.length, 1);
    assert.equal(allowed[0]?.contents?.verification, undefined);
  });

  it('is left out on the local platform, whose simulated nodes never download it, when unpinned', async () => {
    assert.deepEqual(await remoteFiles(renderConfig({ name: 'pinlocal' }), 'pinlocal-controller-0'), []);
  });
});
