// The Azure existence checks against Pulumi's mocks (the provider's invokes:
// the client config, the token, the resource group and the DNS zone) and a
// Resource Manager on loopback that Microsoft's SDK really talks to over HTTPS:
// a subscription with westeurope and northeurope, a few VM sizes with zones, one
// of them barred for the subscription and one barred in a zone only; configs
// with and without azure.zones.
import { describe, it, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as pulumi from '@pulumi/pulumi';
import { z } from 'zod';
import { armCloud } from './arm.ts';
import { azureExistenceChecks } from './existence.ts';
import type { PreflightCheck } from './preflight.ts';
import {
  aLocation,
  aVmSku,
  flatcarVersions,
  notAvailableForSubscription,
  notInZones,
  startArmServer,
  type ArmState,
  type TestArmServer,
} from './testing/arm-server.ts';
import { anAzureConfig } from './testing/fixtures.ts';
import { MOCK_SUBSCRIPTION } from './testing/mock-run.ts';

const TOKEN = `eyJ0eXAiOiJKV1Qi.${randomBytes(24).toString('base64url')}.sig`;

function subscription(): ArmState {
  return {
    subscriptionId: MOCK_SUBSCRIPTION,
    locations: [aLocation(MOCK_SUBSCRIPTION, 'westeurope'), aLocation(MOCK_SUBSCRIPTION, 'northeurope', [])],
    skus: [
      aVmSku('Standard_D2as_v5', { location: 'westeurope' }),
      aVmSku('Standard_D4as_v5', { location: 'westeurope' }),
      aVmSku('Standard_NC24ads_A100_v4', {
        location: 'westeurope',
        restrictions: [notAvailableForSubscription('westeurope')],
      }),
      aVmSku('Standard_E2as_v5', {
        location: 'westeurope',
        zones: ['1', '2'],
        restrictions: [notInZones('westeurope', ['3'])],
      }),
      aVmSku('Standard_M416ms_v2', { location: 'northeurope', zones: [] }),
      // A SKU of another kind that happens to share a VM size's name must not count as the VM size.
      aVmSku('Standard_F2s_v2', { location: 'westeurope', resourceType: 'availabilitySets' }),
      aVmSku('Standard_A2_v2', { location: 'westeurope', hyperVGenerations: 'V1' }),
    ],
    images: [
      flatcarVersions('westeurope', 'stable-gen2', ['4081.2.1', '4230.2.3', '4230.2.4']),
      flatcarVersions('westeurope', 'beta-gen2', ['4344.1.0']),
    ],
  };
}

/** What the provider's invokes find: resources that exist, by name, with their tags. */
interface MockAzure {
  resourceGroups: Record<string, Record<string, string>>;
  /** `group/zone` → tags. */
  dnsZones: Record<string, Record<string, string>>;
  /** When set, the token invoke fails with this answer. */
  tokenFailure?: string;
}

const inputsSchema = z.object({ resourceGroupName: z.string().optional(), zoneName: z.string().optional() });

/**
 * A provider's refusal as the engine hands it to an invoke: a gRPC error whose details are the provider's message
 * (Pulumi's mocks pass a thrown error on the same way).
 */
function providerError(message: string): Error {
  return Object.assign(new Error(message), { details: message });
}

function notFound(kind: string, name: string): Error {
  return providerError(
    `GET https://management.azure.com/${kind}/${name}\nRESPONSE 404: 404 Not Found\nERROR CODE: ResourceNotFound`,
  );
}

function azureCall(azure: MockAzure, token: string, raw: Record<string, unknown>): Record<string, unknown> {
  const inputs = inputsSchema.parse(raw);
  switch (token) {
    case 'azure-native:authorization:getClientConfig':
      return { clientId: 'client', objectId: 'object', subscriptionId: MOCK_SUBSCRIPTION, tenantId: 'tenant' };
    case 'azure-native:authorization:getClientToken':
      if (azure.tokenFailure !== undefined) throw providerError(azure.tokenFailure);
      return { token: TOKEN };
    case 'azure-native:resources:getResourceGroup': {
      const name = inputs.resourceGroupName ?? '';
      const tags = azure.resourceGroups[name];
      if (tags === undefined) throw notFound('resourceGroups', name);
      return { id: `/subscriptions/${MOCK_SUBSCRIPTION}/resourceGroups/${name}`, name, location: 'westeurope', tags };
    }
    case 'azure-native:dns:getZone': {
      const key = `${inputs.resourceGroupName ?? ''}/${inputs.zoneName ?? ''}`;
      const tags = azure.dnsZones[key];
      if (tags === undefined) throw notFound('dnsZones', key);
      return {
        name: inputs.zoneName,
        location: 'global',
        zoneType: 'Public',
        nameServers: ['ns1-01.azure-dns.com.'],
        tags,
      };
    }
    default:
      throw new Error(`no mock for the invoke ${token}`);
  }
}

/** The token is a credential: no check's words may hold it. */
function assertNoToken(checks: readonly PreflightCheck[]): void {
  for (const check of checks) {
    assert.ok(!`${check.detail} ${check.fix ?? ''}`.includes(TOKEN), `${check.id} does not show the token`);
  }
}

const summary = (checks: readonly PreflightCheck[]) => checks.map(({ id, ok }) => ({ id, ok }));
const byId = (checks: readonly PreflightCheck[], id: string) => checks.find((check) => check.id === id);

describe('Azure existence checks (Pulumi mocks, ARM on loopback)', () => {
  let arm: TestArmServer;
  const azure: MockAzure = { resourceGroups: {}, dnsZones: {} };
  const calls: string[] = [];
  /** The inputs of each azure-native provider the checks made. */
  const providers: Record<string, unknown>[] = [];
  const check = (config = anAzureConfig(), env: Record<string, string> = {}) =>
    azureExistenceChecks(config, { env, arm: { endpoint: arm.endpoint, tlsOptions: { ca: arm.ca } } });

  before(async () => {
    arm = await startArmServer(subscription());
  });
  after(() => arm.close());

  beforeEach(async () => {
    Object.assign(arm.state, subscription());
    delete arm.state.refusal;
    arm.requests.length = 0;
    azure.resourceGroups = {};
    azure.dnsZones = {};
    delete azure.tokenFailure;
    calls.length = 0;
    providers.length = 0;
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          const state = z.record(z.string(), z.unknown()).parse(args.inputs);
          if (args.type === 'pulumi:providers:azure-native') providers.push(state);
          return { id: `${args.name}-id`, state };
        },
        call: (args) => {
          calls.push(args.token);
          return azureCall(azure, args.token, z.record(z.string(), z.unknown()).parse(args.inputs));
        },
      },
      'strata-azure',
      'mock',
      true,
    );
  });
  afterEach(() => pulumi.runtime.disconnect());

  it('mock: every check passes for a known location, offered sizes and a free group and zone', async () => {
    const checks = await check(
      anAzureConfig({
        workerPools: [
          { name: 'general', count: 2, instanceType: 'Standard_D4as_v5' },
          // Barred in zone 3 only: the program places no machine in a zone, so it is usable.
          { name: 'memory', count: 1, instanceType: 'Standard_E2as_v5' },
        ],
      }),
    );
    assert.deepEqual(summary(checks), [
      { id: 'azure-location', ok: true },
      { id: 'azure-vm-sizes', ok: true },
      { id: 'azure-image', ok: true },
      { id: 'azure-resource-group', ok: true },
      { id: 'azure-dns-zone', ok: true },
    ]);
    assert.equal(
      checks[2]?.detail,
      'the Marketplace image kinvolk:flatcar-container-linux-free:stable-gen2:4230.2.3 is offered in westeurope',
    );
    assert.equal(
      checks[1]?.detail,
      'VM sizes Standard_D2as_v5, Standard_D4as_v5, Standard_E2as_v5 are offered to this subscription in westeurope',
    );
    assert.match(checks[4]?.detail ?? '', /public DNS zone api\.blue\.azure\.example\.com does not exist yet/);
    // The SDK asked the subscription the provider named, for the config's location, with the provider's token.
    assert.deepEqual(
      arm.requests.map(({ path, filter }) => ({ path, filter })).sort((a, b) => a.path.localeCompare(b.path)),
      [
        { path: `/subscriptions/${MOCK_SUBSCRIPTION}/locations`, filter: null },
        {
          path: `/subscriptions/${MOCK_SUBSCRIPTION}/providers/Microsoft.Compute/locations/westeurope/publishers/kinvolk/artifacttypes/vmimage/offers/flatcar-container-linux-free/skus/stable-gen2/versions`,
          filter: null,
        },
        {
          path: `/subscriptions/${MOCK_SUBSCRIPTION}/providers/Microsoft.Compute/skus`,
          filter: "location eq 'westeurope'",
        },
      ],
    );
    for (const request of arm.requests) assert.equal(request.authorization, `Bearer ${TOKEN}`);
    assert.ok(calls.includes('azure-native:authorization:getClientToken'));
    assertNoToken(checks);
  });

  it('mock: a location the subscription lacks fails naming the field, and no VM size is asked', async () => {
    arm.state.locations = [aLocation(MOCK_SUBSCRIPTION, 'northeurope'), aLocation(MOCK_SUBSCRIPTION, 'eastus')];
    const checks = await check();
    assert.deepEqual(summary(checks), [
      { id: 'azure-location', ok: false },
      { id: 'azure-resource-group', ok: true },
      { id: 'azure-dns-zone', ok: true },
    ]);
    assert.equal(
      checks[0]?.detail,
      `azure.location "westeurope" is not a region of subscription ${MOCK_SUBSCRIPTION} (it has eastus, northeurope)`,
    );
    assert.match(checks[0]?.fix ?? '', /az account list-locations/);
    assert.equal(arm.requests.filter(({ path }) => path.endsWith('/skus')).length, 0);
    assertNoToken(checks);
  });

  it('mock: sizes not offered in the location, barred for the subscription or of another kind are listed at once', async () => {
    const checks = await check(
      anAzureConfig({
        workerPools: [
          { name: 'big', count: 1, instanceType: 'Standard_M416ms_v2' },
          { name: 'gpu', count: 1, instanceType: 'Standard_NC24ads_A100_v4' },
          { name: 'compute', count: 1, instanceType: 'Standard_F2s_v2' },
        ],
      }),
    );
    const sizes = checks.find(({ id }) => id === 'azure-vm-sizes');
    assert.equal(sizes?.ok, false);
    assert.equal(
      sizes?.detail,
      [
        'workerPools[0].instanceType "Standard_M416ms_v2": not offered in westeurope',
        'workerPools[1].instanceType "Standard_NC24ads_A100_v4": not available to this subscription in westeurope (NotAvailableForSubscription)',
        'workerPools[2].instanceType "Standard_F2s_v2": not offered in westeurope',
      ].join('; '),
    );
    assert.match(sizes?.fix ?? '', /az vm list-skus --location westeurope/);
    assertNoToken(checks);
  });

  it("mock: zones the location has and sizes offered in each pass, the zones read from the SKUs' locationInfo", async () => {
    const checks = await check(
      anAzureConfig({
        zones: ['3', '1'],
        workerPools: [{ name: 'general', count: 3, instanceType: 'Standard_D4as_v5' }],
      }),
    );
    assert.deepEqual(summary(checks).slice(0, 3), [
      { id: 'azure-location', ok: true },
      { id: 'azure-zones', ok: true },
      { id: 'azure-vm-sizes', ok: true },
    ]);
    assert.equal(byId(checks, 'azure-zones')?.detail, 'westeurope has zones 3, 1');
    assert.equal(
      byId(checks, 'azure-vm-sizes')?.detail,
      'VM sizes Standard_D2as_v5, Standard_D4as_v5 are offered to this subscription in westeurope zones 3, 1',
    );
    // One listing of the SKUs answers both.
    assert.equal(arm.requests.filter(({ path }) => path.endsWith('/skus')).length, 1);
    // Without zones there is no zone check, and a size barred in one zone is usable (nothing is placed in a zone).
    const regional = await check(
      anAzureConfig({ workerPools: [{ name: 'memory', count: 1, instanceType: 'Standard_E2as_v5' }] }),
    );
    assert.equal(byId(regional, 'azure-zones'), undefined);
    assert.equal(byId(regional, 'azure-vm-sizes')?.ok, true);
  });

  it("mock: a zone the location lacks fails naming azure.zones and the location's zones", async () => {
    const checks = await check(anAzureConfig({ zones: ['1', '4', '5'] }));
    const zones = byId(checks, 'azure-zones');
    assert.equal(zones?.ok, false);
    assert.equal(zones?.detail, 'azure.zones "4", "5": not zones of westeurope (it has zones 1, 2, 3)');
    assert.equal(zones?.fix, 'set azure.zones to zones of westeurope: 1, 2, 3');
    // The sizes are checked in the zones that exist.
    assert.equal(byId(checks, 'azure-vm-sizes')?.ok, true);
    // A location whose SKUs list no zone has none.
    arm.state.skus = arm.state.skus.map((sku) => ({
      ...sku,
      locationInfo: sku.locationInfo.map((info) => ({ ...info, zones: [] })),
    }));
    const flat = byId(await check(anAzureConfig({ zones: ['2'] })), 'azure-zones');
    assert.equal(flat?.ok, false);
    assert.equal(flat?.detail, 'azure.zones "2": not a zone of westeurope (it has no availability zones)');
    assert.match(flat?.fix ?? '', /leave azure\.zones out/);
  });

  it('mock: a size not offered in a chosen zone, or restricted there, fails naming its field, the zone and where it is offered', async () => {
    arm.state.skus = [
      ...arm.state.skus,
      aVmSku('Standard_D8as_v5', { location: 'westeurope', zones: ['1', '3'] }),
      aVmSku('Standard_L8s_v3', { location: 'westeurope', restrictions: [notInZones('westeurope', ['2'])] }),
    ];
    const checks = await check(
      anAzureConfig({
        zones: ['1', '2', '3'],
        workerPools: [
          { name: 'general', count: 3, instanceType: 'Standard_D8as_v5' },
          { name: 'storage', count: 3, instanceType: 'Standard_L8s_v3' },
          { name: 'memory', count: 3, instanceType: 'Standard_E2as_v5' },
          { name: 'small', count: 3, instanceType: 'Standard_D4as_v5' },
        ],
      }),
    );
    assert.equal(byId(checks, 'azure-zones')?.ok, true);
    const sizes = byId(checks, 'azure-vm-sizes');
    assert.equal(sizes?.ok, false);
    assert.equal(
      sizes?.detail,
      [
        'workerPools[0].instanceType "Standard_D8as_v5": not offered to this subscription in zone 2 of westeurope (offered in zones: 1, 3)',
        'workerPools[1].instanceType "Standard_L8s_v3": not offered to this subscription in zone 2 of westeurope (offered in zones: 1, 3)',
        'workerPools[2].instanceType "Standard_E2as_v5": not offered to this subscription in zone 3 of westeurope (offered in zones: 1, 2)',
      ].join('; '),
    );
    assert.match(sizes?.fix ?? '', /az vm list-skus --location westeurope/);
    // The controllers' size is held to the same zones.
    arm.state.skus = [
      ...subscription().skus.filter((sku) => sku.name !== 'Standard_D2as_v5'),
      aVmSku('Standard_D2as_v5', { location: 'westeurope', zones: ['1'] }),
    ];
    const controllers = byId(
      await check(
        anAzureConfig({
          zones: ['1', '2'],
          workerPools: [{ name: 'worker', count: 2, instanceType: 'Standard_D4as_v5' }],
        }),
      ),
      'azure-vm-sizes',
    );
    assert.equal(
      controllers?.detail,
      'azure.controllerType "Standard_D2as_v5": not offered to this subscription in zone 2 of westeurope (offered in zones: 1)',
    );
    assertNoToken(checks);
  });

  it("mock: a group or DNS zone that exists and is not this cluster's fails; this cluster's passes (a rerun)", async () => {
    azure.resourceGroups['strata-blue'] = { owner: 'someone-else' };
    azure.dnsZones['strata-blue/api.blue.azure.example.com'] = { 'strata-cluster': 'green' };
    const foreign = await check();
    assert.deepEqual(summary(foreign).slice(3), [
      { id: 'azure-resource-group', ok: false },
      { id: 'azure-dns-zone', ok: false },
    ]);
    assert.equal(
      byId(foreign, 'azure-resource-group')?.detail,
      'azure.resourceGroup "strata-blue" already exists (in westeurope) and is not cluster blue\'s: it has no strata-cluster tag; the provider creates the group and will not take over an existing one',
    );
    assert.match(
      byId(foreign, 'azure-dns-zone')?.detail ?? '',
      /api\.blue\.azure\.example\.com .* is not cluster blue's: its strata-cluster tag is "green"/,
    );

    azure.resourceGroups['strata-blue'] = { 'strata-cluster': 'blue' };
    azure.dnsZones['strata-blue/api.blue.azure.example.com'] = { 'strata-cluster': 'blue' };
    const ours = await check();
    assert.ok(
      ours.every(({ ok }) => ok),
      JSON.stringify(ours),
    );
    assert.match(
      byId(ours, 'azure-dns-zone')?.detail ?? '',
      /this cluster's, from an earlier run \(name servers ns1-01\.azure-dns\.com\.\)/,
    );
  });

  it('mock: a size that boots generation 1 only, a pinned version the location lacks and a channel it lacks fail', async () => {
    const gen1 = await check(
      anAzureConfig({
        workerPools: [{ name: 'small', count: 1, instanceType: 'Standard_A2_v2' }],
        os: { name: 'flatcar', channel: 'stable', version: '4152.2.0' },
      }),
    );
    assert.equal(
      byId(gen1, 'azure-vm-sizes')?.detail,
      'workerPools[0].instanceType "Standard_A2_v2": boots Hyper-V generation V1 only, and Flatcar\'s image is V2',
    );
    const image = byId(gen1, 'azure-image');
    assert.equal(image?.ok, false);
    assert.equal(
      image?.detail,
      'os.version "4152.2.0": kinvolk:flatcar-container-linux-free:stable-gen2 has no such version in westeurope (the newest: 4230.2.4, 4230.2.3, 4081.2.1)',
    );
    assert.match(
      image?.fix ?? '',
      /az vm image list --publisher kinvolk --offer flatcar-container-linux-free --sku stable-gen2/,
    );

    const alpha = await check(anAzureConfig({ os: { name: 'flatcar', channel: 'alpha' } }));
    assert.equal(
      byId(alpha, 'azure-image')?.detail,
      'os.channel "alpha": the Marketplace image kinvolk:flatcar-container-linux-free:alpha-gen2 is not offered in westeurope',
    );
    const latest = await check(anAzureConfig({ os: { name: 'flatcar', channel: 'beta' } }));
    assert.equal(
      byId(latest, 'azure-image')?.detail,
      'the Marketplace image kinvolk:flatcar-container-linux-free:beta-gen2:latest (4344.1.0) is offered in westeurope',
    );
    assertNoToken([...gen1, ...alpha, ...latest]);
  });

  for (const refusal of [
    {
      status: 401,
      code: 'InvalidAuthenticationToken',
      // A server that quotes what it was sent: the token must still not reach the user.
      message: () => `The access token is invalid: Bearer ${TOKEN}`,
      shown: 'The access token is invalid: Bearer <token>',
      challenge:
        'Bearer authorization_uri="https://login.microsoftonline.com/tenant", error="invalid_token", error_description="The access token is invalid."',
    },
    {
      status: 403,
      code: 'AuthorizationFailed',
      message: () =>
        `The client 'client' with object id 'object' does not have authorization to perform action 'Microsoft.Resources/subscriptions/locations/read' over scope '/subscriptions/${MOCK_SUBSCRIPTION}'`,
      shown:
        "The client 'client' with object id 'object' does not have authorization to perform action 'Microsoft\\.Resources/subscriptions/locations/read' over scope '/subscriptions/[0-9a-f-]+'",
    },
  ]) {
    it(`mock: ARM answering ${refusal.status} is a credential failure that never shows the token`, async () => {
      arm.state.refusal = {
        status: refusal.status,
        code: refusal.code,
        message: refusal.message(),
        ...('challenge' in refusal ? { challenge: refusal.challenge } : {}),
      };
      const checks = await check();
      const location = checks[0];
      assert.equal(location?.id, 'azure-location');
      assert.equal(location?.ok, false);
      assert.match(
        location?.detail ?? '',
        new RegExp(
          `^Azure Resource Manager refused the credentials the provider uses \\(subscription ${MOCK_SUBSCRIPTION}\\) when asked for the locations of subscription ${MOCK_SUBSCRIPTION}: HTTP ${refusal.status}: ${refusal.code}: ${refusal.shown}$`,
        ),
      );
      assert.match(location?.fix ?? '', /az login/);
      assert.equal(checks.filter(({ id }) => id === 'azure-vm-sizes').length, 0);
      assert.equal(arm.requests[0]?.authorization, `Bearer ${TOKEN}`);
      assertNoToken(checks);
    });
  }

  it('mock: a provider that gets no token fails the ARM checks with its answer, and ARM is not asked', async () => {
    azure.tokenFailure = 'failed to acquire a token: AADSTS700016: Application not found in the directory';
    const checks = await check();
    assert.equal(checks[0]?.ok, false);
    assert.match(checks[0]?.detail ?? '', /got no Azure Resource Manager token .* AADSTS700016/);
    assert.equal(arm.requests.length, 0);
  });

  it("mock: the checks' provider follows ARM_ENVIRONMENT, as the install's default provider does", async () => {
    await check(anAzureConfig(), { ARM_ENVIRONMENT: 'usgovernment' });
    assert.deepEqual(
      providers.map(({ environment, location }) => ({ environment, location })),
      [{ environment: 'usgovernment', location: 'westeurope' }],
    );
  });

  it('mock: an ARM_ENVIRONMENT the provider would not know fails before asking ARM', async () => {
    const checks = await azureExistenceChecks(anAzureConfig(), { env: { ARM_ENVIRONMENT: 'germany' } });
    assert.equal(checks[0]?.ok, false);
    assert.match(checks[0]?.detail ?? '', /ARM_ENVIRONMENT "germany" is not a cloud the provider knows/);
    assert.equal(arm.requests.length, 0);
  });
});

describe('armCloud', () => {
  it("follows the provider's ARM_ENVIRONMENT, the public cloud by default, and refuses what it cannot tell", () => {
    assert.deepEqual(armCloud({}), { environment: 'public', endpoint: 'https://management.azure.com' });
    assert.deepEqual(armCloud({ ARM_ENVIRONMENT: '' }), {
      environment: 'public',
      endpoint: 'https://management.azure.com',
    });
    assert.deepEqual(armCloud({ ARM_ENVIRONMENT: 'usgovernment' }), {
      environment: 'usgovernment',
      endpoint: 'https://management.usgovcloudapi.net',
    });
    assert.deepEqual(armCloud({ ARM_ENVIRONMENT: 'China' }), {
      environment: 'china',
      endpoint: 'https://management.chinacloudapi.cn',
    });
    assert.match(JSON.stringify(armCloud({ ARM_ENVIRONMENT: 'germany' })), /not a cloud the provider knows/);
    assert.match(
      JSON.stringify(armCloud({ ARM_METADATA_HOSTNAME: 'management.local.azurestack.external' })),
      /custom cloud/,
    );
  });
});
