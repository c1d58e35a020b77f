// Whether what the config names exists for the Azure subscription: the
// location and the zones chosen of it; the VM sizes (offered there and in each
// chosen zone, not restricted for this subscription, booting generation 2
// images); the Flatcar image version
// there; and whether the resource group and the public DNS zone the program
// creates are free to create. The pinned provider has no invoke that lists
// locations, VM sizes or image versions, so those are asked of Azure Resource
// Manager with Microsoft's SDK, authenticated with the token and subscription
// the provider's own invokes return (ADR 0032); the rest are provider invokes.
// Like the other clouds' checks they run inside a Pulumi program under a
// preview, before anything is created, and in the tests under Pulumi's mocks.
// Every check runs; each failure names the config field, its value and what
// Azure answered, and never the token.
import { ComputeManagementClient, isRestError } from '@azure/arm-compute';
import { SubscriptionClient } from '@azure/arm-resources-subscriptions';
import { getClientConfig } from '@pulumi/azure-native/authorization/getClientConfig.js';
import { getClientToken } from '@pulumi/azure-native/authorization/getClientToken.js';
import { getZone } from '@pulumi/azure-native/dns/getZone.js';
import { Provider } from '@pulumi/azure-native/provider.js';
import { getResourceGroup } from '@pulumi/azure-native/resources/getResourceGroup.js';
import type { ClusterConfig } from '@strata/assets';
import {
  armAnswer,
  armCloud,
  ArmResponses,
  isCredentialRefusal,
  providerTokenCredential,
  type ArmAccess,
} from './arm.ts';
import { CLUSTER_TAG, DEFAULT_WORKER_SIZE } from './constants.ts';
import { AzurePlatformError } from './errors.ts';
import { flatcarImage } from './image.ts';
import { azureResourceNames } from './names.ts';
import type { Environment, PreflightCheck } from './preflight.ts';

type AzureSettings = NonNullable<ClusterConfig['azure']>;

/** The provider's own words for a failed invoke, without the engine's wrapping. */
function answer(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/^Invoke of '[^']+' failed: /, '').trim();
}

/** Whether a failed invoke says the resource (or the group it would be in) does not exist. */
function isNotFound(error: unknown): boolean {
  return /\b404\b|\bResourceNotFound\b|\bResourceGroupNotFound\b/.test(answer(error));
}

/** Every VM size the config names, with the field that names it. */
export function vmSizeFields(config: ClusterConfig): { field: string; size: string }[] {
  const azure = config.azure;
  if (azure === undefined) return [];
  return [
    { field: 'azure.controllerType', size: azure.controllerType },
    ...config.workerPools.map((pool, index) => ({
      field: `workerPools[${index}].instanceType`,
      size: pool.instanceType ?? DEFAULT_WORKER_SIZE,
    })),
  ];
}

/** What the SDK clients need: where ARM is, the subscription, and the provider's token. */
interface ArmSession extends ArmAccess {
  readonly subscriptionId: string;
  readonly token: string;
}

/** The SDK clients' options: the endpoint and, for a test's server, the CA to trust. */
function clientOptions({ endpoint, tlsOptions }: ArmSession) {
  return tlsOptions === undefined ? { endpoint } : { endpoint, tlsOptions: { ca: tlsOptions.ca } };
}

const CREDENTIAL_FIX =
  'run `az login` again, or check the service principal (ARM_CLIENT_ID, ARM_TENANT_ID) and that it has at least the Reader role on the subscription';

/** A failed check for ARM's answer: a refusal of the credentials is said as such. */
function armFailure(
  id: string,
  what: string,
  error: unknown,
  session: ArmSession,
  fix: string,
  responses: ArmResponses,
): PreflightCheck {
  if (isCredentialRefusal(error)) {
    return {
      id,
      ok: false,
      detail: `Azure Resource Manager refused the credentials the provider uses (subscription ${session.subscriptionId}) when asked for ${what}: ${armAnswer(error, session.token, responses)}`,
      fix: CREDENTIAL_FIX,
    };
  }
  return {
    id,
    ok: false,
    detail: `Azure Resource Manager did not list ${what}: ${armAnswer(error, session.token, responses)}`,
    fix,
  };
}

/** The location among the subscription's regions; without it, nothing more is asked about VM sizes. */
async function locationCheck(
  azure: AzureSettings,
  session: ArmSession,
): Promise<{ check: PreflightCheck; known: boolean }> {
  const id = 'azure-location';
  const fix = 'set azure.location to a region of the subscription (az account list-locations --output table)';
  const client = new SubscriptionClient(providerTokenCredential(session.token), clientOptions(session));
  const regions: string[] = [];
  const responses = new ArmResponses();
  try {
    for await (const location of client.subscriptions.listLocations(session.subscriptionId, {
      onResponse: responses.onResponse,
    })) {
      if (location.name !== undefined && (location.type ?? 'Region') === 'Region') regions.push(location.name);
    }
  } catch (error) {
    return {
      check: armFailure(id, `the locations of subscription ${session.subscriptionId}`, error, session, fix, responses),
      known: false,
    };
  }
  if (!regions.includes(azure.location.toLowerCase())) {
    return {
      check: {
        id,
        ok: false,
        detail: `azure.location "${azure.location}" is not a region of subscription ${session.subscriptionId} (it has ${regions.length === 0 ? 'none' : regions.sort().join(', ')})`,
        fix,
      },
      known: false,
    };
  }
  return {
    check: { id, ok: true, detail: `${azure.location} is a region of subscription ${session.subscriptionId}` },
    known: true,
  };
}

/** What the SKU listing says of one VM size in the location. */
interface OfferedSize {
  /** Reasons of "Location" restrictions: the size is barred in the whole location. */
  readonly restrictions: string[];
  readonly generations: string | undefined;
  /** The zones the size may be placed in: those ARM lists for it there, less those a "Zone" restriction bars. */
  readonly zones: string[];
}

/** Zone names sorted as Azure numbers them. */
function zoneOrder(zones: Iterable<string>): string[] {
  return [...new Set(zones)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

const listOf = (zones: readonly string[]) => (zones.length === 0 ? 'none' : zones.join(', '));

/** The location's zones and VM sizes, from one listing of its SKUs. */
interface LocationSkus {
  readonly zones: string[];
  readonly sizes: Map<string, OfferedSize>;
}

async function locationSkus(
  location: string,
  client: ComputeManagementClient,
  responses: ArmResponses,
): Promise<LocationSkus> {
  const zones = new Set<string>();
  const sizes = new Map<string, OfferedSize>();
  const here = (name: string | undefined) => name?.toLowerCase() === location.toLowerCase();
  for await (const sku of client.resourceSkus.list({
    filter: `location eq '${location}'`,
    onResponse: responses.onResponse,
  })) {
    // Every SKU offered in a zone proves that the location has it; ARM lists a location's zones nowhere else.
    const skuZones = (sku.locationInfo ?? []).filter((info) => here(info.location)).flatMap((info) => info.zones ?? []);
    for (const zone of skuZones) zones.add(zone);
    if (sku.resourceType !== 'virtualMachines' || sku.name === undefined) continue;
    const restrictions = sku.restrictions ?? [];
    const barredZones = new Set(
      restrictions
        .filter((restriction) => restriction.type === 'Zone')
        .flatMap((restriction) => restriction.restrictionInfo?.zones ?? []),
    );
    sizes.set(sku.name.toLowerCase(), {
      restrictions: restrictions
        .filter((restriction) => restriction.type === 'Location')
        .map((restriction) => restriction.reasonCode ?? 'restricted'),
      generations: sku.capabilities?.find((capability) => capability.name === 'HyperVGenerations')?.value,
      zones: zoneOrder(skuZones.filter((zone) => !barredZones.has(zone))),
    });
  }
  return { zones: zoneOrder(zones), sizes };
}

function vmSizesFix(location: string): string {
  return `name VM sizes this subscription may use in ${location} (az vm list-skus --location ${location} --resource-type virtualMachines --output table shows each size's zones and restrictions)`;
}

/** The configured zones among the location's. */
function zonesCheck(azure: AzureSettings, zones: readonly string[]): PreflightCheck {
  const id = 'azure-zones';
  const { location } = azure;
  const configured = azure.zones ?? [];
  const missing = configured.filter((zone) => !zones.includes(zone));
  if (missing.length > 0) {
    return {
      id,
      ok: false,
      detail: `azure.zones ${missing.map((zone) => `"${zone}"`).join(', ')}: ${missing.length === 1 ? 'not a zone' : 'not zones'} of ${location} (it has ${zones.length === 0 ? 'no availability zones' : `zones ${zones.join(', ')}`})`,
      fix:
        zones.length === 0
          ? `leave azure.zones out (${location} has no availability zones), or choose a location that has them`
          : `set azure.zones to zones of ${location}: ${zones.join(', ')}`,
    };
  }
  return { id, ok: true, detail: `${location} has zones ${configured.join(', ')}` };
}

/** Each VM size offered in the location (and in each configured zone) and not restricted there for this subscription. */
function vmSizesCheck(config: ClusterConfig, azure: AzureSettings, skus: LocationSkus): PreflightCheck {
  const id = 'azure-vm-sizes';
  const { location } = azure;
  const fix = vmSizesFix(location);
  // A zone the location lacks is the zones check's to name; here only the zones machines can be placed in count.
  const zones = (azure.zones ?? []).filter((zone) => skus.zones.includes(zone));
  const problems = vmSizeFields(config).flatMap(({ field, size }) => {
    const offered = skus.sizes.get(size.toLowerCase());
    if (offered === undefined) return [`${field} "${size}": not offered in ${location}`];
    if (offered.restrictions.length > 0) {
      return [
        `${field} "${size}": not available to this subscription in ${location} (${offered.restrictions.join(', ')})`,
      ];
    }
    // The Flatcar image is generation 2 (UEFI); a size that lists its generations without V2 cannot boot it.
    if (offered.generations !== undefined && !offered.generations.split(',').includes('V2')) {
      return [`${field} "${size}": boots Hyper-V generation ${offered.generations} only, and Flatcar's image is V2`];
    }
    const lacking = zones.filter((zone) => !offered.zones.includes(zone));
    if (lacking.length > 0) {
      return [
        `${field} "${size}": not offered to this subscription in ${lacking.length === 1 ? 'zone' : 'zones'} ${lacking.join(', ')} of ${location} (offered in zones: ${listOf(offered.zones)})`,
      ];
    }
    return [];
  });
  if (problems.length > 0) return { id, ok: false, detail: problems.join('; '), fix };
  const names = [...new Set(vmSizeFields(config).map(({ size }) => size))];
  const where = zones.length === 0 ? location : `${location} zones ${zones.join(', ')}`;
  return { id, ok: true, detail: `VM sizes ${names.join(', ')} are offered to this subscription in ${where}` };
}

/** The zones and VM sizes, from one listing of the location's SKUs. */
async function skuChecks(
  config: ClusterConfig,
  azure: AzureSettings,
  session: ArmSession,
  client: ComputeManagementClient,
): Promise<PreflightCheck[]> {
  const responses = new ArmResponses();
  let skus: LocationSkus;
  try {
    skus = await locationSkus(azure.location, client, responses);
  } catch (error) {
    const what = `the VM sizes${azure.zones === undefined ? '' : ' and zones'} of ${azure.location}`;
    return [armFailure('azure-vm-sizes', what, error, session, vmSizesFix(azure.location), responses)];
  }
  const sizes = vmSizesCheck(config, azure, skus);
  return azure.zones === undefined ? [sizes] : [zonesCheck(azure, skus.zones), sizes];
}

/** The Marketplace image the machines boot: its SKU offered in the location, with the version the config pins. */
async function imageCheck(
  config: ClusterConfig,
  azure: AzureSettings,
  session: ArmSession,
  client: ComputeManagementClient,
): Promise<PreflightCheck> {
  const id = 'azure-image';
  const { location } = azure;
  if (config.os.name !== 'flatcar') {
    return {
      id,
      ok: false,
      detail: `os.name ${config.os.name} has no Azure Marketplace image`,
      fix: 'set os.name: flatcar',
    };
  }
  const { publisher, offer, sku, version } = flatcarImage(config.os).imageReference;
  const image = `${publisher}:${offer}:${sku}`;
  const fix = `name a version that \`az vm image list --publisher ${publisher} --offer ${offer} --sku ${sku} --location ${location} --all\` shows in os.version, or leave os.version out for the latest`;
  let versions: string[];
  const responses = new ArmResponses();
  try {
    versions = (
      await client.virtualMachineImages.list(location, publisher, offer, sku, { onResponse: responses.onResponse })
    ).map(({ name }) => name);
  } catch (error) {
    if (!(isRestError(error) && error.statusCode === 404)) {
      return armFailure(id, `the versions of ${image} in ${location}`, error, session, fix, responses);
    }
    versions = [];
  }
  if (versions.length === 0) {
    return {
      id,
      ok: false,
      detail: `os.channel "${config.os.channel}": the Marketplace image ${image} is not offered in ${location}`,
      fix: `choose a channel and location where \`az vm image list --publisher ${publisher} --offer ${offer} --all --location ${location}\` lists ${sku}`,
    };
  }
  if (version !== 'latest' && !versions.includes(version)) {
    return {
      id,
      ok: false,
      detail: `os.version "${version}": ${image} has no such version in ${location} (the newest: ${newest(versions).join(', ')})`,
      fix,
    };
  }
  return {
    id,
    ok: true,
    detail: `the Marketplace image ${image}:${version === 'latest' ? `latest (${newest(versions)[0] ?? ''})` : version} is offered in ${location}`,
  };
}

/** The three highest of Flatcar's dotted versions. */
function newest(versions: readonly string[]): string[] {
  const parts = (version: string) => version.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const compare = (a: string, b: string) => {
    const [left, right] = [parts(a), parts(b)];
    for (let index = 0; index < Math.max(left.length, right.length); index += 1) {
      const difference = (right[index] ?? 0) - (left[index] ?? 0);
      if (difference !== 0) return difference;
    }
    return 0;
  };
  return [...versions].sort(compare).slice(0, 3);
}

/** Whether a tag set marks the resource as this cluster's. */
function ownership(tags: Readonly<Record<string, string>> | undefined, cluster: string): string | undefined {
  const owner = tags?.[CLUSTER_TAG];
  if (owner === cluster) return undefined;
  return owner === undefined ? `it has no ${CLUSTER_TAG} tag` : `its ${CLUSTER_TAG} tag is "${owner}"`;
}

/** The resource group is created by install: it must not exist already unless an earlier run made it. */
async function resourceGroupCheck(config: ClusterConfig, provider: Provider): Promise<PreflightCheck> {
  const id = 'azure-resource-group';
  const { resourceGroup } = azureResourceNames(config);
  try {
    const group = await getResourceGroup({ resourceGroupName: resourceGroup }, { provider });
    const foreign = ownership(group.tags, config.name);
    if (foreign === undefined) {
      return { id, ok: true, detail: `resource group ${resourceGroup} is this cluster's, from an earlier run` };
    }
    return {
      id,
      ok: false,
      detail: `azure.resourceGroup "${resourceGroup}" already exists (in ${group.location}) and is not cluster ${config.name}'s: ${foreign}; the provider creates the group and will not take over an existing one`,
      fix: `set azure.resourceGroup to a name not in use, or remove that group (az group delete --name ${resourceGroup})`,
    };
  } catch (error) {
    if (isNotFound(error)) {
      return { id, ok: true, detail: `resource group ${resourceGroup} does not exist yet; install creates it` };
    }
    return {
      id,
      ok: false,
      detail: `azure.resourceGroup "${resourceGroup}": Azure did not say whether it exists: ${answer(error)}`,
      fix: CREDENTIAL_FIX,
    };
  }
}

/** The public zone of the API name is created by install in the group: it must be free, or this cluster's. */
async function dnsZoneCheck(config: ClusterConfig, provider: Provider): Promise<PreflightCheck> {
  const id = 'azure-dns-zone';
  const { resourceGroup, publicZone } = azureResourceNames(config);
  try {
    const zone = await getZone({ resourceGroupName: resourceGroup, zoneName: publicZone }, { provider });
    const foreign = ownership(zone.tags, config.name);
    if (foreign === undefined) {
      return {
        id,
        ok: true,
        detail: `the public DNS zone ${publicZone} in ${resourceGroup} is this cluster's, from an earlier run (name servers ${(zone.nameServers ?? []).join(', ') || 'not yet assigned'})`,
      };
    }
    return {
      id,
      ok: false,
      detail: `the public DNS zone ${publicZone} (the API name) already exists in resource group ${resourceGroup} and is not cluster ${config.name}'s: ${foreign}`,
      fix: `remove that zone (az network dns zone delete --resource-group ${resourceGroup} --name ${publicZone}), or set apiDnsName or azure.resourceGroup elsewhere`,
    };
  } catch (error) {
    if (isNotFound(error)) {
      return {
        id,
        ok: true,
        detail: `the public DNS zone ${publicZone} does not exist yet; install creates it in ${resourceGroup}, and its parent domain must delegate to it`,
      };
    }
    return {
      id,
      ok: false,
      detail: `apiDnsName "${publicZone}": Azure did not say whether its public zone exists in ${resourceGroup}: ${answer(error)}`,
      fix: CREDENTIAL_FIX,
    };
  }
}

/** The checks that ask Resource Manager, once the provider has handed out a token and named the subscription. */
async function armChecks(
  config: ClusterConfig,
  azure: AzureSettings,
  provider: Provider,
  access: ArmAccess,
): Promise<PreflightCheck[]> {
  let session: ArmSession;
  try {
    const [{ subscriptionId }, { token }] = await Promise.all([
      getClientConfig({ provider }),
      getClientToken({}, { provider }),
    ]);
    session = { ...access, subscriptionId, token };
  } catch (error) {
    return [
      {
        id: 'azure-location',
        ok: false,
        detail: `the provider got no Azure Resource Manager token from the credentials preflight found, so azure.location "${azure.location}" and the VM sizes were not checked: ${answer(error)}`,
        fix: CREDENTIAL_FIX,
      },
    ];
  }
  const location = await locationCheck(azure, session);
  // Sizes and images are listed per location: an unknown one leaves nothing to ask.
  if (!location.known) return [location.check];
  const compute = new ComputeManagementClient(
    providerTokenCredential(session.token),
    session.subscriptionId,
    clientOptions(session),
  );
  const [skus, image] = await Promise.all([
    skuChecks(config, azure, session, compute),
    imageCheck(config, azure, session, compute),
  ]);
  return [location.check, ...skus, image];
}

export interface AzureExistenceOptions {
  /** Defaults to one for the config's location, as the program makes it. */
  readonly provider?: Provider;
  /** Read for the provider's choice of cloud (ARM_ENVIRONMENT, ARM_METADATA_HOSTNAME); defaults to this process's. */
  readonly env?: Environment;
  /** Overrides the Resource Manager endpoint the environment picks (a test's own server). */
  readonly arm?: ArmAccess;
}

/** The checks that need Azure: run inside a Pulumi program (a preview creates nothing). */
export async function azureExistenceChecks(
  config: ClusterConfig,
  options: AzureExistenceOptions = {},
): Promise<PreflightCheck[]> {
  const azure = config.azure;
  if (azure === undefined) {
    throw new AzurePlatformError('the Azure checks need a config with an azure section', { field: 'azure' });
  }
  const cloud = armCloud(options.env ?? process.env);
  // An explicit provider defaults to the public cloud whatever ARM_ENVIRONMENT says; the install's default provider
  // follows ARM_ENVIRONMENT, and so must this one, for its token to be for the cloud the checks ask.
  const provider =
    options.provider ??
    new Provider('preflight', {
      location: azure.location,
      ...('environment' in cloud ? { environment: cloud.environment } : {}),
    });
  let arm: Promise<PreflightCheck[]>;
  if (options.arm !== undefined) {
    arm = armChecks(config, azure, provider, options.arm);
  } else if ('endpoint' in cloud) {
    arm = armChecks(config, azure, provider, { endpoint: cloud.endpoint });
  } else {
    arm = Promise.resolve([
      {
        id: 'azure-location',
        ok: false,
        detail: `${cloud.problem}, so azure.location, the VM sizes and the image were not checked`,
        fix: cloud.fix,
      },
    ]);
  }
  const [armResults, group, zone] = await Promise.all([
    arm,
    resourceGroupCheck(config, provider),
    dnsZoneCheck(config, provider),
  ]);
  return [...armResults, group, zone];
}
