// The plan's decisions that need no Pulumi: names, addresses, refusals.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clusterTopology, type ClusterConfig, type PlatformProgramInput } from '@strata/assets';
import { AzurePlatformError } from './errors.ts';
import { fitName, azureResourceNames, nameProblem, namedResources } from './names.ts';
import { azurePlan } from './plan.ts';
import { anAzureConfig } from './testing/fixtures.ts';

/** A program input whose Ignition configs are minimal valid ones: enough for what the plan checks first. */
function inputWithoutRender(config: ClusterConfig, ignition = new Map<string, string>()): PlatformProgramInput {
  return { config, topology: clusterTopology(config), ignition };
}

describe('azureResourceNames', () => {
  test('follow Azure rules for the longest names the config allows', () => {
    const config = anAzureConfig({
      name: `${'c'.repeat(39)}1`,
      controllers: 5,
      workerPools: [
        { name: `${'w'.repeat(62)}1`, count: 1 },
        { name: `${'w'.repeat(62)}2`, count: 1 },
      ],
    });
    const names = azureResourceNames(config);
    assert.deepEqual(
      namedResources(names).flatMap(({ kind, name }) => nameProblem(kind, name) ?? []),
      [],
    );
    assert.notEqual(names.workerPools[0]!.scaleSet, names.workerPools[1]!.scaleSet);
  });

  test("nameProblem reports a name out of its kind's rules", () => {
    assert.match(nameProblem('storageAccount', 'Has-Dashes') ?? '', /does not match/);
    assert.match(nameProblem('scaleSet', 'x'.repeat(65)) ?? '', /65 characters; Azure allows 1 to 64/);
    assert.match(nameProblem('blobContainer', 'a--b') ?? '', /does not match/);
  });

  test('fitName keeps short names and shortens long ones distinctly within the limit', () => {
    assert.equal(fitName('blue-worker', 64), 'blue-worker');
    const a = fitName(`${'x'.repeat(70)}a`, 64);
    const b = fitName(`${'x'.repeat(70)}b`, 64);
    assert.ok(a.length <= 64 && b.length <= 64);
    assert.notEqual(a, b);
  });

  test('storage accounts of same-named clusters in different resource groups differ', () => {
    const one = azureResourceNames(anAzureConfig());
    const other = azureResourceNames({
      ...anAzureConfig(),
      azure: { ...anAzureConfig().azure!, resourceGroup: 'other' },
    });
    assert.notEqual(one.storageAccount, other.storageAccount);
  });

  test('the API name outside the base domain gets no private record, only its public zone', () => {
    const names = azureResourceNames(anAzureConfig({ apiDnsName: 'k8s.example.org' }));
    assert.equal(names.privateApiRecord, undefined);
    assert.equal(names.publicZone, 'k8s.example.org');
    assert.equal(azureResourceNames(anAzureConfig()).privateApiRecord, 'api.blue');
  });
});

describe('azurePlan refuses', () => {
  test('a config of another platform', () => {
    const config: ClusterConfig = { ...anAzureConfig(), platform: 'aws' };
    assert.throws(() => azurePlan(inputWithoutRender(config)), AzurePlatformError);
  });

  test('Fedora CoreOS, which has no Marketplace image', () => {
    const config = anAzureConfig({ os: { name: 'fedora-coreos', channel: 'stable' } });
    assert.throws(() => azurePlan(inputWithoutRender(config)), /fedora-coreos has no Azure Marketplace image/);
  });

  test("a pod range that overlaps the machines' network, naming the field", () => {
    const config = anAzureConfig({ networking: { podCidr: '10.0.0.0/16' } });
    assert.throws(
      () => azurePlan(inputWithoutRender(config)),
      (error: unknown) => error instanceof AzurePlatformError && error.context['field'] === 'networking.podCidr',
    );
  });

  test('names Azure would refuse, listing them (a config that bypassed its schema)', () => {
    const config: ClusterConfig = { ...anAzureConfig(), baseDomain: 'under_score.example.com' };
    assert.throws(
      () => azurePlan(inputWithoutRender(config)),
      /Azure would refuse these names: dnsZone name "under_score/,
    );
  });

  test("a render that lacks a machine's Ignition, naming the machine", () => {
    assert.throws(() => azurePlan(inputWithoutRender(anAzureConfig())), /no Ignition config for blue-controller-0/);
  });

  test('a worker config too large for custom data', () => {
    const small = JSON.stringify({ ignition: { version: '3.4.0' } });
    const large = JSON.stringify({
      ignition: { version: '3.4.0' },
      storage: { files: [{ path: '/big', contents: { source: `data:,${'x'.repeat(70_000)}` } }] },
    });
    const ignition = new Map([
      ['blue-controller-0', small],
      ['blue-worker', large],
    ]);
    assert.throws(() => azurePlan(inputWithoutRender(anAzureConfig(), ignition)), /at most 65535/);
  });
});
