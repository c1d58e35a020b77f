import { createHash } from 'node:crypto';

/** Where pod IPs come from when the node has no spec.podCIDR: flannel's customary pod network. */
export const FALLBACK_POD_NETWORK = '10.244.0.0/16';

function parseIPv4Cidr(cidr: string): { base: number; size: number } | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (match === null) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((octet) => octet > 255) || prefix > 30) return undefined;
  const address = octets.reduce((value, octet) => value * 256 + octet, 0);
  const size = 2 ** (32 - prefix);
  return { base: address - (address % size), size };
}

const format = (address: number): string => [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join('.');

/**
 * A pod IP for a pod that has no network: derived from the pod's UID so that
 * the same pod always gets the same address, inside the node's pod CIDR if it
 * has one. Addresses in `taken` are skipped, so the pods of one node do not
 * share one. The network address, the bridge's .1 and broadcast are never used.
 */
export function placeholderPodIP(uid: string, podCIDR: string | undefined, taken: ReadonlySet<string> = new Set()): string {
  const network = (podCIDR === undefined ? undefined : parseIPv4Cidr(podCIDR)) ?? parseIPv4Cidr(FALLBACK_POD_NETWORK);
  if (network === undefined) throw new Error('unreachable: the fallback pod network parses');
  const usable = network.size - 3;
  const start = createHash('sha256').update(uid).digest().readUInt32BE(0) % usable;
  for (let probe = 0; probe < usable; probe += 1) {
    const candidate = format(network.base + 2 + ((start + probe) % usable));
    if (!taken.has(candidate)) return candidate;
  }
  // Every address is in use: a simulated pod may share one rather than not start.
  return format(network.base + 2 + start);
}
