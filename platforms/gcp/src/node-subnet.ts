// The nodes' subnetwork: one fixed IPv4 range, which must not overlap the pod
// or service ranges, or packets to pods and services would leave the node.
import { overlaps, parseCidr, splitCidrList, type ClusterConfig } from '@strata/assets';
import { GcpPlatformError } from './errors.ts';

export const NODE_SUBNET_CIDR = '10.0.0.0/20';

/** The nodes' range, or a typed error naming the config field that overlaps it. */
export function nodeSubnetRange(networking: ClusterConfig['networking']): string {
  const nodes = parseCidr(NODE_SUBNET_CIDR);
  if (!nodes.ok) throw new GcpPlatformError(`${NODE_SUBNET_CIDR} is not a CIDR`, { cidr: NODE_SUBNET_CIDR });
  for (const field of ['podCidr', 'serviceCidr'] as const) {
    for (const text of splitCidrList(networking[field])) {
      const range = parseCidr(text);
      if (range.ok && overlaps(range.cidr, nodes.cidr)) {
        throw new GcpPlatformError(
          `networking.${field} ${text} overlaps the nodes' subnetwork ${NODE_SUBNET_CIDR} on Google Cloud; choose another range`,
          { field: `networking.${field}`, value: text, nodeSubnet: NODE_SUBNET_CIDR },
        );
      }
    }
  }
  return NODE_SUBNET_CIDR;
}
