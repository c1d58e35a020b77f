// The cloud drivers' preflight looks for the provider plugin where the
// install's Pulumi workspace looks: the same PULUMI_HOME.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { clusterTopology, loadClusterConfig } from '@strata/assets';
import { withTestSysextPin } from '@strata/assets/testing';
import { AWS_PROVIDER_PLUGIN } from '@strata/platform-aws';
import { InstallDirectory } from '../cluster-dir.ts';
import type { DriverContext } from '../platform-driver.ts';
import { installPulumiHome, openInstallStack } from '../pulumi/install-stack.ts';
import { cloudDriver, type CloudCheck, type CloudSpec } from './driver.ts';
import { awsDriver } from './platforms.ts';

const EXAMPLE = new URL('../../../../examples/aws.yaml', import.meta.url);

describe('the cloud drivers and the engine', () => {
  let root: string;
  let configPath: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'strata-cloud-driver-'));
    configPath = join(root, 'aws.yaml');
    await writeFile(configPath, withTestSysextPin(await readFile(EXAMPLE, 'utf8')));
  });
  after(() => rm(root, { recursive: true, force: true }));

  async function context(name: string, installPlugins = false): Promise<DriverContext> {
    const config = await loadClusterConfig(configPath, { hostNetworks: [] });
    const directory = new InstallDirectory(join(root, name));
    return {
      config,
      configPath,
      topology: clusterTopology(config),
      directory,
      assetsDir: directory.assetsDir,
      progress: () => undefined,
      signal: AbortSignal.timeout(60_000),
      installPlugins,
    };
  }
  const pluginFailure = (failures: readonly string[]) =>
    failures.find((failure) => failure.includes(`the aws provider plugin v${AWS_PROVIDER_PLUGIN.version}`));

  it("finds the plugin in the PULUMI_HOME the engine's stack is opened with, and nowhere else", async () => {
    const driverContext = await context('agree');
    const { directory } = driverContext;
    const identity = await directory.claim('prod', 'aws', undefined);
    const stack = await openInstallStack(directory, identity, () => Promise.resolve({}));
    assert.equal(stack.workspace.pulumiHome, installPulumiHome(directory));

    const missing = pluginFailure(await awsDriver.preflight(driverContext));
    assert.ok(missing, 'without the plugin, preflight says it is missing');
    assert.ok(missing.includes(`PULUMI_HOME=${installPulumiHome(directory)} pulumi plugin install resource aws`));

    const pluginDir = join(stack.workspace.pulumiHome ?? '', 'plugins', `resource-aws-v${AWS_PROVIDER_PLUGIN.version}`);
    await mkdir(pluginDir, { recursive: true });
    await writeFile(join(pluginDir, 'pulumi-resource-aws'), '#!/bin/sh\n');
    await chmod(join(pluginDir, 'pulumi-resource-aws'), 0o755);
    assert.equal(pluginFailure(await awsDriver.preflight(driverContext)), undefined);
  });

  it("does not take a plugin in the user's own PULUMI_HOME for one the engine would load", async () => {
    const elsewhere = join(root, 'user-pulumi-home');
    const pluginDir = join(elsewhere, 'plugins', `resource-aws-v${AWS_PROVIDER_PLUGIN.version}`);
    await mkdir(pluginDir, { recursive: true });
    await writeFile(join(pluginDir, 'pulumi-resource-aws'), '#!/bin/sh\n');
    await chmod(join(pluginDir, 'pulumi-resource-aws'), 0o755);
    const previous = process.env['PULUMI_HOME'];
    process.env['PULUMI_HOME'] = elsewhere;
    try {
      assert.ok(pluginFailure(await awsDriver.preflight(await context('user-home'))));
    } finally {
      if (previous === undefined) delete process.env['PULUMI_HOME'];
      else process.env['PULUMI_HOME'] = previous;
    }
  });

  it('with --install-plugins, a missing plugin is left to provision instead of failing preflight', async () => {
    const failures = await awsDriver.preflight(await context('install-plugins', true));
    assert.equal(pluginFailure(failures), undefined);
  });

  describe('the checks through the provider', () => {
    /** A cloud whose offline checks say `offline`, and whose provider finds `online` when the engine runs it. */
    function aCloud(offline: CloudCheck[], online: CloudCheck[], asked: { count: number }): CloudSpec {
      return {
        platform: 'aws',
        plugin: () => AWS_PROVIDER_PLUGIN,
        pluginCheckId: 'aws-provider-plugin',
        preflight: () => offline,
        program: () => () => Promise.resolve({}),
        controllerConfigType: 'aws:s3/bucketObjectv2:BucketObjectv2',
        existence: () => {
          asked.count += 1;
          return Promise.resolve(online);
        },
      };
    }
    const allOffline: CloudCheck[] = [
      { id: 'aws-config', ok: true, detail: 'config' },
      { id: 'aws-credentials', ok: true, detail: 'environment variables' },
      { id: 'aws-provider-plugin', ok: true, detail: 'installed' },
    ];
    const online: CloudCheck[] = [
      { id: 'aws-zones', ok: false, detail: 'aws.zones[1] "us-east-1q" is not an available zone', fix: 'fix zones' },
      { id: 'aws-instance-types', ok: false, detail: 'workerPools[0].instanceType "q9.mega"', fix: 'fix types' },
      { id: 'aws-dns-zone', ok: true, detail: 'the public Route53 zone' },
    ];

    it('run under a real preview once the offline checks pass, every failure listed with the others', async () => {
      const asked = { count: 0 };
      const driverContext = await context('existence');
      const failures = await cloudDriver(aCloud(allOffline, online, asked)).preflight(driverContext);
      assert.equal(asked.count, 1);
      // The ranges' check against this machine's networks may add its own line; the provider's come after it.
      assert.deepEqual(
        failures.filter((failure) => /^(aws\.zones|workerPools)/.test(failure)),
        [
          'aws.zones[1] "us-east-1q" is not an available zone\nfix: fix zones',
          'workerPools[0].instanceType "q9.mega"\nfix: fix types',
        ],
      );
      // The throwaway stack lived in a scratch directory: the cluster directory is still not there.
      await assert.rejects(readFile(join(driverContext.directory.path, 'install.json')), { code: 'ENOENT' });
    });

    it('are not asked while an offline check fails (no plugin, no credentials)', async () => {
      const asked = { count: 0 };
      const offline = allOffline.map((check) =>
        check.id === 'aws-credentials' ? { ...check, ok: false, detail: 'no credentials' } : check,
      );
      const failures = await cloudDriver(aCloud(offline, online, asked)).preflight(await context('no-credentials'));
      assert.equal(asked.count, 0);
      assert.ok(failures.includes('no credentials'));
    });
  });
});
