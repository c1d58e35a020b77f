import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProviderPlugin, pulumiHomeOf, type ProviderPlugin } from './plugins.ts';

const PLUGIN: ProviderPlugin = { name: 'aws', version: '7.48.0' };

/** Lays the plugin out as `pulumi plugin install` does, with the binary's mode given. */
async function installAt(pulumiHome: string, plugin: ProviderPlugin, mode: number): Promise<string> {
  const dir = join(pulumiHome, 'plugins', `resource-${plugin.name}-v${plugin.version}`);
  await mkdir(dir, { recursive: true });
  const binary = join(dir, `pulumi-resource-${plugin.name}`);
  await writeFile(binary, '#!/bin/sh\n');
  await chmod(binary, mode);
  return dir;
}

describe('findProviderPlugin', () => {
  const roots: string[] = [];
  const aHome = async () => {
    const root = await mkdtemp(join(tmpdir(), 'strata-plugins-'));
    roots.push(root);
    return root;
  };
  after(async () => {
    for (const root of roots) await rm(root, { recursive: true, force: true });
  });

  it('looks under PULUMI_HOME when it is set and not empty, else under ~/.pulumi', async () => {
    const home = await aHome();
    assert.equal(pulumiHomeOf({}, home), join(home, '.pulumi'));
    assert.equal(pulumiHomeOf({ PULUMI_HOME: '' }, home), join(home, '.pulumi'));
    assert.equal(pulumiHomeOf({ PULUMI_HOME: '/srv/pulumi' }, home), '/srv/pulumi');
    const dir = await installAt(join(home, '.pulumi'), PLUGIN, 0o755);
    assert.deepEqual(findProviderPlugin(PLUGIN, {}, home), { status: 'installed', dir });
    const elsewhere = join(home, 'engine-home');
    assert.equal(findProviderPlugin(PLUGIN, { PULUMI_HOME: elsewhere }, home).status, 'missing');
  });

  it('tells a missing plugin, another version, a half-unpacked one and one that cannot run apart', async () => {
    const home = await aHome();
    const pulumiHome = join(home, '.pulumi');
    assert.deepEqual(findProviderPlugin(PLUGIN, {}, home), {
      status: 'missing',
      dir: join(pulumiHome, 'plugins', 'resource-aws-v7.48.0'),
      pluginsDir: join(pulumiHome, 'plugins'),
    });
    await installAt(pulumiHome, { ...PLUGIN, version: '7.0.0' }, 0o755);
    assert.equal(findProviderPlugin(PLUGIN, {}, home).status, 'missing');
    const dir = await installAt(pulumiHome, PLUGIN, 0o644);
    assert.deepEqual(findProviderPlugin(PLUGIN, {}, home), {
      status: 'not-executable',
      dir,
      binary: join(dir, 'pulumi-resource-aws'),
    });
    await chmod(join(dir, 'pulumi-resource-aws'), 0o755);
    await writeFile(`${dir}.partial`, '');
    assert.deepEqual(findProviderPlugin(PLUGIN, {}, home), { status: 'partial', dir });
    await rm(`${dir}.partial`);
    assert.equal(findProviderPlugin(PLUGIN, {}, home).status, 'installed');
  });
});
