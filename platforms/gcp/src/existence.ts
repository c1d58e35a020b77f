// Whether what the config names exists in the Google Cloud project: the
// region's zones, the machine types in each zone the machines spread over,
// and a public Cloud DNS zone that holds the API name. Asked through the
// provider itself (its invoke functions), so these checks run inside a Pulumi
// program: under a preview, with the engine's provider plugin and the user's
// credentials, before anything is created; and in the tests, under Pulumi's
// mocks. Every check runs; each failure names the config field, its value and
// what Google answered.
import * as compute from '@pulumi/gcp/compute/index.js';
import * as dns from '@pulumi/gcp/dns/index.js';
import { Provider } from '@pulumi/gcp/provider.js';
import { clusterTopology, type ClusterConfig } from '@strata/assets';
import { zoneFor } from './dns-zone.ts';
import { GcpPlatformError } from './errors.ts';
import type { PreflightCheck } from './preflight.ts';
import { DEFAULT_WORKER_MACHINE_TYPE } from './program.ts';

type GcpSettings = NonNullable<ClusterConfig['gcp']>;

/** The provider's own words for a failed invoke, without the engine's wrapping. */
function answer(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/^Invoke of '[^']+' failed: /, '').trim();
}

/** Every machine type the config names, with the field that names it. */
export function machineTypeFields(config: ClusterConfig): { field: string; type: string }[] {
  const gcp = config.gcp;
  if (gcp === undefined) return [];
  return [
    { field: 'gcp.controllerType', type: gcp.controllerType },
    ...config.workerPools.map((pool, index) => ({
      field: `workerPools[${index}].instanceType`,
      type: pool.instanceType ?? DEFAULT_WORKER_MACHINE_TYPE,
    })),
  ];
}

/** The configured zones the region has; a failed check names the others, or the region if it has none. */
async function zonesCheck(
  gcp: GcpSettings,
  provider: Provider,
): Promise<{ check: PreflightCheck; existing: string[] }> {
  const id = 'gcp-zones';
  const { project, region, zones } = gcp;
  let available: string[];
  try {
    ({ names: available } = await compute.getZones({ project, region }, { provider }));
  } catch (error) {
    return {
      check: {
        id,
        ok: false,
        detail: `gcp.region "${region}": Google did not list its zones in project ${project}: ${answer(error)}`,
        fix: 'set gcp.region to a region of the project (gcloud compute regions list)',
      },
      existing: [],
    };
  }
  if (available.length === 0) {
    return {
      check: {
        id,
        ok: false,
        detail: `gcp.region "${region}" has no zones in project ${project}`,
        fix: 'set gcp.region to a region of the project (gcloud compute regions list)',
      },
      existing: [],
    };
  }
  const existing = zones.filter((zone) => available.includes(zone));
  const unknown = zones.flatMap((zone, index) => (available.includes(zone) ? [] : [`gcp.zones[${index}] "${zone}"`]));
  if (unknown.length > 0) {
    return {
      check: {
        id,
        ok: false,
        detail: `${unknown.join(', ')} ${unknown.length === 1 ? 'is not a zone' : 'are not zones'} of ${region} (it has ${available.join(', ')})`,
        fix: 'list zones of gcp.region in gcp.zones',
      },
      existing,
    };
  }
  return { check: { id, ok: true, detail: `zones ${zones.join(', ')} are in ${region}` }, existing };
}

async function machineTypesCheck(
  config: ClusterConfig,
  gcp: GcpSettings,
  zones: readonly string[],
  provider: Provider,
): Promise<PreflightCheck> {
  const id = 'gcp-machine-types';
  const fields = machineTypeFields(config);
  const missing = new Map<string, string[]>();
  const failures: string[] = [];
  await Promise.all(
    zones.map(async (zone) => {
      try {
        const { machineTypes } = await compute.getMachineTypes({ project: gcp.project, zone }, { provider });
        const offered = new Set(machineTypes.map((type) => type.name));
        for (const { field, type } of fields) {
          if (!offered.has(type))
            missing.set(`${field} "${type}"`, [...(missing.get(`${field} "${type}"`) ?? []), zone]);
        }
      } catch (error) {
        failures.push(`Google did not list the machine types of ${zone}: ${answer(error)}`);
      }
    }),
  );
  const unknown = [...missing].map(([what, where]) => `${what}: not offered in ${where.sort().join(', ')}`);
  if (unknown.length > 0 || failures.length > 0) {
    return {
      id,
      ok: false,
      detail: [...unknown, ...failures].join('; '),
      fix: 'name machine types every zone of gcp.zones offers (gcloud compute machine-types list --zones …)',
    };
  }
  const names = [...new Set(fields.map(({ type }) => type))];
  return { id, ok: true, detail: `machine types ${names.join(', ')} are offered in ${zones.join(', ')}` };
}

async function dnsZoneCheck(config: ClusterConfig, gcp: GcpSettings, provider: Provider): Promise<PreflightCheck> {
  const id = 'gcp-dns-zone';
  const { apiDnsName } = clusterTopology(config);
  const fix = `create a public Cloud DNS managed zone for ${config.baseDomain} in project ${gcp.project} (gcloud dns managed-zones create), or set baseDomain to a domain one holds`;
  try {
    const { managedZones } = await dns.getManagedZones({ project: gcp.project }, { provider });
    const zone = zoneFor(apiDnsName, managedZones, gcp.project);
    return { id, ok: true, detail: `the public Cloud DNS zone ${zone.name} (${zone.dnsName}) holds ${apiDnsName}` };
  } catch (error) {
    if (error instanceof GcpPlatformError) {
      return { id, ok: false, detail: `baseDomain "${config.baseDomain}": ${error.message}`, fix };
    }
    return {
      id,
      ok: false,
      detail: `baseDomain "${config.baseDomain}": Google did not list the managed zones of project ${gcp.project}: ${answer(error)}`,
      fix,
    };
  }
}

/**
 * The checks that need Google Cloud: run inside a Pulumi program (a preview creates nothing). `provider` defaults
 * to one for the config's project and region, as the program makes it.
 */
export async function gcpExistenceChecks(config: ClusterConfig, provider?: Provider): Promise<PreflightCheck[]> {
  const gcp = config.gcp;
  if (gcp === undefined) {
    throw new GcpPlatformError('the GCP checks need a config with a gcp section', { field: 'gcp' });
  }
  const regional = provider ?? new Provider('preflight', { project: gcp.project, region: gcp.region });
  const [zones, dnsZone] = await Promise.all([zonesCheck(gcp, regional), dnsZoneCheck(config, gcp, regional)]);
  const checks = [zones.check];
  // Machine types are asked per zone; a region without any of the zones leaves nothing to ask.
  if (zones.existing.length > 0) checks.push(await machineTypesCheck(config, gcp, zones.existing, regional));
  return [...checks, dnsZone];
}
