import { parseCidr, splitCidrList } from '../net/cidr.ts';
import type { ManifestInputs } from './inputs.ts';

/** The pod ranges by IP family; inputs have passed parseManifestInputs, so each entry is a range of its own family. */
export function podRanges(inputs: Pick<ManifestInputs, 'podCidr'>): { ipv4?: string; ipv6?: string } {
  const ranges: { ipv4?: string; ipv6?: string } = {};
  for (const entry of splitCidrList(inputs.podCidr)) {
    const parsed = parseCidr(entry);
    if (parsed.ok) ranges[parsed.cidr.family === 4 ? 'ipv4' : 'ipv6'] = entry;
  }
  return ranges;
}

/** The Service ipFamilies names of the service ranges, in their order (the first is the primary family). */
export function serviceIpFamilies(inputs: Pick<ManifestInputs, 'serviceCidr'>): ('IPv4' | 'IPv6')[] {
  return splitCidrList(inputs.serviceCidr).flatMap((entry) => {
    const parsed = parseCidr(entry);
    return parsed.ok ? [parsed.cidr.family === 4 ? ('IPv4' as const) : ('IPv6' as const)] : [];
  });
}
