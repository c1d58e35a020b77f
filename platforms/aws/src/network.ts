// The cluster's address plan: one VPC range, one public /20 per zone. Fixed
// rather than configurable, as Typhoon's default host range is, and checked
// against the pod and service ranges, which must not overlap the nodes'.
import { formatCidr, overlaps, parseCidr, splitCidrList, type ClusterConfig } from '@strata/assets';
import { AwsProgramError } from './errors.ts';

export const VPC_CIDR = '10.0.0.0/16';
const SUBNET_PREFIX = 20;
/** A /16 holds sixteen /20s. */
export const MAX_ZONES = 2 ** (SUBNET_PREFIX - 16);

export interface SubnetPlan {
  readonly zone: string;
  readonly cidr: string;
}

export interface NetworkPlan {
  readonly vpcCidr: string;
  readonly subnets: readonly SubnetPlan[];
}

function parsed(text: string, field: string) {
  const result = parseCidr(text);
  if (!result.ok) throw new AwsProgramError(`${field} "${text}" ${result.problem.message}`, { field, value: text });
  return result.cidr;
}

export function networkPlan(config: ClusterConfig): NetworkPlan {
  const zones = config.aws?.zones ?? [];
  if (zones.length > MAX_ZONES) {
    throw new AwsProgramError(`aws.zones lists ${zones.length} zones; the VPC ${VPC_CIDR} has room for ${MAX_ZONES}`, {
      field: 'aws.zones',
      zones: zones.length,
    });
  }
  const vpc = parsed(VPC_CIDR, 'the VPC range');
  for (const field of ['podCidr', 'serviceCidr'] as const) {
    for (const entry of splitCidrList(config.networking[field])) {
      if (overlaps(parsed(entry, `networking.${field}`), vpc)) {
        throw new AwsProgramError(
          `networking.${field} ${entry} overlaps the VPC range ${VPC_CIDR} the AWS machines get their addresses from`,
          { field: `networking.${field}`, value: entry, vpcCidr: VPC_CIDR },
        );
      }
    }
  }
  const step = 1n << BigInt(32 - SUBNET_PREFIX);
  return {
    vpcCidr: VPC_CIDR,
    subnets: zones.map((zone, index) => ({
      zone,
      cidr: formatCidr({ family: 4, network: vpc.network + BigInt(index) * step, prefix: SUBNET_PREFIX }),
    })),
  };
}
