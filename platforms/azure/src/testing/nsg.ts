// Evaluates inbound network security group rules as Azure does (lowest
// priority number first, the first match decides), including Azure's default
// rules, so that tests ask "can X reach port P" rather than read rules.
import { containsAddress, parseAddress, parseCidr } from '@strata/assets';

export interface InboundRule {
  readonly name: string;
  readonly priority: number;
  readonly direction: string;
  readonly access: string;
  readonly protocol: string;
  readonly sourceAddressPrefix: string;
  readonly destinationAddressPrefix: string;
  readonly destinationPortRange: string;
}

/** The network the service tag VirtualNetwork stands for in these tests. */
export interface NetworkContext {
  readonly virtualNetwork: string;
}

// Azure's own rules, under every group's rules.
const DEFAULT_RULES: readonly InboundRule[] = [
  {
    name: 'AllowVnetInBound',
    priority: 65000,
    direction: 'Inbound',
    access: 'Allow',
    protocol: '*',
    sourceAddressPrefix: 'VirtualNetwork',
    destinationAddressPrefix: 'VirtualNetwork',
    destinationPortRange: '*',
  },
  {
    name: 'AllowAzureLoadBalancerInBound',
    priority: 65001,
    direction: 'Inbound',
    access: 'Allow',
    protocol: '*',
    sourceAddressPrefix: 'AzureLoadBalancer',
    destinationAddressPrefix: '*',
    destinationPortRange: '*',
  },
  {
    name: 'DenyAllInBound',
    priority: 65500,
    direction: 'Inbound',
    access: 'Deny',
    protocol: '*',
    sourceAddressPrefix: '*',
    destinationAddressPrefix: '*',
    destinationPortRange: '*',
  },
];

/** A source: an address, or the Internet (any address outside the network). */
export type Source = { readonly address: string } | 'Internet';

function matchesPrefix(prefix: string, source: Source, network: NetworkContext): boolean {
  if (prefix === '*') return true;
  const inside = source !== 'Internet' && addressIn(network.virtualNetwork, source.address);
  if (prefix === 'Internet') return !inside;
  if (prefix === 'VirtualNetwork') return inside;
  if (prefix === 'AzureLoadBalancer') return false;
  return source !== 'Internet' && addressIn(prefix, source.address);
}

function addressIn(cidr: string, address: string): boolean {
  const range = parseCidr(cidr);
  const parsed = parseAddress(address);
  if (!range.ok || parsed === undefined) throw new Error(`cannot compare ${address} with ${cidr}`);
  return containsAddress(range.cidr, parsed);
}

function matchesPort(range: string, port: number): boolean {
  if (range === '*') return true;
  const [low, high] = range.split('-').map(Number);
  return low !== undefined && port >= low && port <= (high ?? low);
}

/** Whether TCP from `source` to `destination`:`port` is allowed by `rules` and Azure's defaults. */
export function allowsTcp(
  rules: readonly InboundRule[],
  network: NetworkContext,
  source: Source,
  destination: string,
  port: number,
): { allowed: boolean; by: string } {
  const ordered = [...rules, ...DEFAULT_RULES]
    .filter((rule) => rule.direction === 'Inbound')
    .sort((a, b) => a.priority - b.priority);
  for (const rule of ordered) {
    if (
      (rule.protocol === '*' || rule.protocol === 'Tcp') &&
      matchesPrefix(rule.sourceAddressPrefix, source, network) &&
      matchesPrefix(rule.destinationAddressPrefix, { address: destination }, network) &&
      matchesPort(rule.destinationPortRange, port)
    ) {
      return { allowed: rule.access === 'Allow', by: rule.name };
    }
  }
  return { allowed: false, by: 'none' };
}
