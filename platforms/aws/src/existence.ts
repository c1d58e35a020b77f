// Whether what the config names exists in the AWS account: the region and its
// zones, the instance types, and the public Route53 zone of the baseDomain.
// Asked through the provider itself (its invoke functions), so these checks
// run inside a Pulumi program: under a preview, with the engine's provider
// plugin and the user's credentials, before anything is created; and in the
// tests, under Pulumi's mocks. Every check runs; each failure names the config
// field, its value and the provider's answer.
import { getAvailabilityZones } from '@pulumi/aws/getAvailabilityZones.js';
import { getInstanceTypeOfferings } from '@pulumi/aws/ec2/getInstanceTypeOfferings.js';
import { Provider } from '@pulumi/aws/provider.js';
import { getZone } from '@pulumi/aws/route53/getZone.js';
import type { ClusterConfig } from '@strata/assets';
import { AwsProgramError } from './errors.ts';
import type { PreflightCheck } from './preflight.ts';
import { DEFAULT_WORKER_TYPE } from './resources/machine.ts';

/** The provider's own words for a failed invoke, without the engine's wrapping. */
function answer(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/^Invoke of '[^']+' failed: /, '').trim();
}

/** Every instance type the config names, with the field that names it. */
export function instanceTypeFields(config: ClusterConfig): { field: string; type: string }[] {
  const aws = config.aws;
  if (aws === undefined) return [];
  return [
    { field: 'aws.controllerType', type: aws.controllerType },
    ...config.workerPools.map((pool, index) => ({
      field: `workerPools[${index}].instanceType`,
      type: pool.instanceType ?? DEFAULT_WORKER_TYPE,
    })),
  ];
}

async function zonesCheck(config: ClusterConfig, provider: Provider): Promise<PreflightCheck> {
  const id = 'aws-zones';
  const { region, zones } = requireAws(config);
  let available: string[];
  try {
    ({ names: available } = await getAvailabilityZones({ state: 'available' }, { provider }));
  } catch (error) {
    return {
      id,
      ok: false,
      detail: `aws.region "${region}": AWS did not list its availability zones: ${answer(error)}`,
      fix: 'set aws.region to a region this account has enabled (aws ec2 describe-regions)',
    };
  }
  const unknown = zones.flatMap((zone, index) => (available.includes(zone) ? [] : [`aws.zones[${index}] "${zone}"`]));
  if (unknown.length > 0) {
    return {
      id,
      ok: false,
      detail: `${unknown.join(', ')} ${unknown.length === 1 ? 'is not an available zone' : 'are not available zones'} of ${region} (it has ${available.join(', ') || 'none'})`,
      fix: 'list zones of aws.region in aws.zones',
    };
  }
  return { id, ok: true, detail: `zones ${zones.join(', ')} are available in ${region}` };
}

async function instanceTypesCheck(config: ClusterConfig, provider: Provider): Promise<PreflightCheck> {
  const id = 'aws-instance-types';
  const { region } = requireAws(config);
  const fields = instanceTypeFields(config);
  const wanted = [...new Set(fields.map(({ type }) => type))];
  let offered: string[];
  try {
    ({ instanceTypes: offered } = await getInstanceTypeOfferings(
      { locationType: 'region', filters: [{ name: 'instance-type', values: wanted }] },
      { provider },
    ));
  } catch (error) {
    return { id, ok: false, detail: `AWS did not list the instance types offered in ${region}: ${answer(error)}` };
  }
  const unknown = fields.filter(({ type }) => !offered.includes(type)).map(({ field, type }) => `${field} "${type}"`);
  if (unknown.length > 0) {
    return {
      id,
      ok: false,
      detail: `${unknown.join(', ')}: not offered in ${region}`,
      fix: 'name instance types this region offers (aws ec2 describe-instance-type-offerings)',
    };
  }
  return { id, ok: true, detail: `instance types ${wanted.join(', ')} are offered in ${region}` };
}

async function dnsZoneCheck(config: ClusterConfig, provider: Provider): Promise<PreflightCheck> {
  const id = 'aws-dns-zone';
  try {
    const zone = await getZone({ name: config.baseDomain, privateZone: false }, { provider });
    return { id, ok: true, detail: `the public Route53 zone ${zone.name} (${zone.zoneId}) holds ${config.baseDomain}` };
  } catch (error) {
    return {
      id,
      ok: false,
      detail: `baseDomain "${config.baseDomain}": no public Route53 hosted zone of that name: ${answer(error)}`,
      fix: `create the public hosted zone ${config.baseDomain} (aws route53 create-hosted-zone), or set baseDomain to one this account holds`,
    };
  }
}

function requireAws(config: ClusterConfig): NonNullable<ClusterConfig['aws']> {
  if (config.aws === undefined) {
    throw new AwsProgramError('the AWS checks need a config with an aws section', { field: 'aws' });
  }
  return config.aws;
}

/**
 * The checks that need AWS: run inside a Pulumi program (a preview creates nothing). `provider` defaults to one
 * for the config's region, as the program makes it.
 */
export async function awsExistenceChecks(config: ClusterConfig, provider?: Provider): Promise<PreflightCheck[]> {
  const { region } = requireAws(config);
  const regional = provider ?? new Provider('preflight', { region });
  return Promise.all([
    zonesCheck(config, regional),
    instanceTypesCheck(config, regional),
    dnsZoneCheck(config, regional),
  ]);
}
