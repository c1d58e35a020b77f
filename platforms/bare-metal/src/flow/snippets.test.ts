// A bare-metal cluster with snippets, rendered for real (the snippets through
// the real Butane), planned, and served by the boot server: each machine's
// installed system gets its own pool's snippets.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertValidIgnition, decodeDataUrl, type ClusterConfig, type IgnitionConfig } from '@strata/assets';
import { aButaneUnit, butaneSnippet } from '@strata/assets/testing';
import { startTestBootServer, type TestBootServer } from '@strata/boot-server/testing';
import { aBareMetalConfig, renderedIgnitionOf, TWO_MACHINES } from './fixtures.ts';
import { planBareMetal } from './plan-bare-metal.ts';

const WORKER_SNIPPET = butaneSnippet({
  files: [{ path: '/etc/site/rack.conf', mode: 0o644, inline: 'RACK=r12\n' }],
  units: [aButaneUnit('site-report.service', '/usr/bin/cat /etc/site/rack.conf')],
});

const CONTROLLER_SNIPPET = butaneSnippet({ files: [{ path: '/etc/site/role', inline: 'controller' }] });

function machine(name: string) {
  const found = TWO_MACHINES.find((entry) => entry.name === name);
  assert.ok(found);
  return found;
}

function fileText(config: IgnitionConfig, path: string): string | undefined {
  const source = config.storage?.files?.find((file) => file.path === path)?.contents?.source;
  if (source === undefined) return undefined;
  const decoded = decodeDataUrl(source);
  assert.ok(decoded.ok, `undecodable data URL for ${path}`);
  return new TextDecoder().decode(decoded.value.data);
}

describe('a bare-metal cluster with snippets', () => {
  let dir: string;
  let server: TestBootServer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-bare-metal-snippets-'));
    await writeFile(join(dir, 'worker.yaml'), WORKER_SNIPPET);
    await writeFile(join(dir, 'controller.yaml'), CONTROLLER_SNIPPET);
    const base = aBareMetalConfig();
    const config: ClusterConfig = {
      ...base,
      controllers: { ...base.controllers, snippets: [join(dir, 'controller.yaml')] },
      workerPools: base.workerPools.map((pool) =>
        pool.name === 'general' ? { ...pool, snippets: [join(dir, 'worker.yaml')] } : pool,
      ),
    };
    const plan = planBareMetal({ config, ignition: await renderedIgnitionOf(config) });
    server = await startTestBootServer({
      contents: {
        profiles: plan.profiles,
        groups: plan.groups,
        ignition: Object.fromEntries(plan.templates.map((template) => [template.name, template.content])),
      },
    });
  });
  after(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function servedInstalledConfig(name: string): Promise<IgnitionConfig> {
    const answer = await server.get(`/ignition?mac=${encodeURIComponent(machine(name).mac)}&os=installed`);
    assert.equal(answer.status, 200, answer.body);
    return assertValidIgnition(JSON.parse(answer.body));
  }

  it('serves the worker pool’s snippet file and unit in the worker’s installed Ignition', async () => {
    const served = await servedInstalledConfig('node1');
    assert.equal(fileText(served, '/etc/site/rack.conf'), 'RACK=r12\n');
    const unit = served.systemd?.units?.find((entry) => entry.name === 'site-report.service');
    assert.equal(unit?.enabled, true);
    assert.match(unit?.contents ?? '', /ExecStart=\/usr\/bin\/cat \/etc\/site\/rack\.conf/);
    assert.equal(fileText(served, '/etc/site/role'), undefined, "the controllers' snippet reached a worker");
  });

  it('serves the controllers’ snippet to the controller, and not the worker pool’s', async () => {
    const served = await servedInstalledConfig('ctrl1');
    assert.equal(fileText(served, '/etc/site/role'), 'controller');
    assert.equal(fileText(served, '/etc/site/rack.conf'), undefined);
    assert.equal(
      served.systemd?.units?.some((entry) => entry.name === 'site-report.service'),
      false,
    );
  });
});
