// Snippets through a whole render: loaded from a cluster.yaml beside them,
// translated by the real Butane, merged into the right pool's nodes.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterConfigYaml, minimalLocalConfig } from '../config/fixtures.ts';
import { loadClusterConfig } from '../config/parse.ts';
import type { ClusterConfig } from '../config/schema.ts';
import { decodeDataUrl } from '../ignition/data-url.ts';
import { assertValidIgnition } from '../ignition/validate.ts';
import type { IgnitionConfig } from '../ignition/schema.ts';
import { ASSET_PATHS } from '../render/layout.ts';
import { applyRenderPlan, planClusterRender, renderInput } from '../render/render.ts';
import { aButaneUnit, butaneSnippet } from '../testing/butane.ts';
import { SnippetConflictError } from './errors.ts';

function ntpSnippet(server: string): string {
  return butaneSnippet({
    files: [{ path: '/etc/systemd/timesyncd.conf.d/10-site.conf', inline: `[Time]\nNTP=${server}\n` }],
    units: [aButaneUnit('site-inventory.service')],
  });
}

const CONFLICTING = butaneSnippet({ files: [{ path: '/etc/containerd/config.toml', inline: 'version = 2' }] });

describe('rendering a cluster with snippets', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-render-snippets-'));
    await mkdir(join(dir, 'snippets'));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function clusterWith(workerSnippets: string[]): Promise<ClusterConfig> {
    const path = join(dir, 'cluster.yaml');
    await writeFile(
      path,
      clusterConfigYaml(minimalLocalConfig(), {
        workerPools: [
          { name: 'general', count: 1 },
          { name: 'edge', count: 1, snippets: workerSnippets },
        ],
      }),
    );
    return loadClusterConfig(path, { hostNetworks: [] });
  }

  async function ignitionOf(assets: string, node: string): Promise<IgnitionConfig> {
    return assertValidIgnition(JSON.parse(await readFile(join(assets, ASSET_PATHS.ignition(node)), 'utf8')));
  }

  it('loads snippet paths relative to the cluster.yaml', async () => {
    await writeFile(join(dir, 'snippets', 'ntp.yaml'), ntpSnippet('ntp1.example.com'));
    const config = await clusterWith(['snippets/ntp.yaml']);
    assert.deepEqual(config.workerPools[1]?.snippets, [join(dir, 'snippets', 'ntp.yaml')]);
    assert.deepEqual(config.controllers.snippets, []);
  });

  it('merges the pool’s snippets into its nodes only, and renders them again when a snippet changes', async () => {
    await writeFile(join(dir, 'snippets', 'ntp.yaml'), ntpSnippet('ntp1.example.com'));
    const config = await clusterWith(['snippets/ntp.yaml']);
    const assets = join(dir, 'assets');
    await applyRenderPlan(await planClusterRender({ config, dir: assets }));
    const workers = renderInput(config).topology.workers;
    const edge = workers.find((worker) => worker.pool === 'edge')?.name ?? '';
    const general = workers.find((worker) => worker.pool === 'general')?.name ?? '';
    const controller = renderInput(config).topology.controllers[0]?.name ?? '';

    const edgeIgnition = await ignitionOf(assets, edge);
    const timesyncd = edgeIgnition.storage?.files?.find(
      (file) => file.path === '/etc/systemd/timesyncd.conf.d/10-site.conf',
    );
    assert.ok(timesyncd?.contents?.source);
    const decoded = decodeDataUrl(timesyncd.contents.source);
    assert.ok(decoded.ok);
    assert.equal(new TextDecoder().decode(decoded.value.data), '[Time]\nNTP=ntp1.example.com\n');
    assert.equal(edgeIgnition.systemd?.units?.find((unit) => unit.name === 'site-inventory.service')?.enabled, true);
    // Strata's own entries are all still there.
    assert.ok(edgeIgnition.storage?.files?.some((file) => file.path === '/etc/containerd/config.toml'));
    for (const other of [general, controller]) {
      const ignition = await ignitionOf(assets, other);
      assert.equal(
        ignition.systemd?.units?.some((unit) => unit.name === 'site-inventory.service'),
        false,
        `${other} got the edge pool's snippet`,
      );
    }

    await writeFile(join(dir, 'snippets', 'ntp.yaml'), ntpSnippet('ntp2.example.com'));
    const again = await planClusterRender({ config, dir: assets });
    assert.deepEqual(
      again.writes.map((write) => write.path),
      [ASSET_PATHS.ignition(edge)],
    );
  });

  it('refuses a render whose snippet would replace a file Strata renders, naming both', async () => {
    await writeFile(join(dir, 'snippets', 'containerd.yaml'), CONFLICTING);
    const config = await clusterWith(['snippets/containerd.yaml']);
    await assert.rejects(planClusterRender({ config, dir: join(dir, 'refused') }), (error: unknown) => {
      assert.ok(error instanceof SnippetConflictError);
      assert.match(
        error.message,
        /^workerPools\[1\]\.snippets\[0\]: .*containerd\.yaml sets the path \/etc\/containerd\/config\.toml, but Strata renders it for demo-edge-0/,
      );
      return true;
    });
  });
});
