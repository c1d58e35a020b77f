import { createHash } from 'node:crypto';
import { formatAddress, lastAddress, parseCidr, type Cidr } from '@strata/assets';

/** Where pod IPs come from when the node has no spec.podCIDR: flannel's customary pod network. */
export const FALLBACK_POD_NETWORK = '10.244.0.0/16';

/** An IPv4 range big enough for pods (a /30 or larger), or undefined. */
function podNetwork(cidr: string | undefined): Cidr | undefined {
  if (cidr === undefined) return undefined;
  const parsed = parseCidr(cidr);
  return parsed.ok && parsed.cidr.family === 4 && parsed.cidr.prefix <= 30 ? parsed.cidr : undefined;
}

/**
 * A pod IP for a pod that has no network: derived from the pod's UID so that
 * the same pod always gets the same address, inside the node's pod CIDR if it
 * has one. Addresses in `taken` are skipped, so the pods of one node do not
 * share one. The network address, the bridge's .1 and broadcast are never used.
 */
export function placeholderPodIP(
  uid: string,
  podCIDR: string | undefined,
  taken: ReadonlySet<string> = new Set(),
): string {
  const network = podNetwork(podCIDR) ?? podNetwork(FALLBACK_POD_NETWORK);
  if (network === undefined) throw new Error('unreachable: the fallback pod network parses');
  const usable = Number(lastAddress(network) - network.network) - 2;
  const start = createHash('sha256').update(uid).digest().readUInt32BE(0) % usable;
  const at = (offset: number) => formatAddress(4, network.network + 2n + BigInt(offset));
  for (let probe = 0; probe < usable; probe += 1) {
    const candidate = at((start + probe) % usable);
    if (!taken.has(candidate)) return candidate;
  }
  // Every address is in use: a simulated pod may share one rather than not start.
  return at(start);
}
