import { ADDRESS_BITS, formatCidr, parseCidr, splitCidrList, widen, type Cidr, type IpFamily } from '../net/cidr.ts';
import type { Problem } from './problem.ts';

// The limits of the pod and service networks. The cluster config schema and the manifest renderer's input
// check are both built from these, so that whatever validates also renders.

// Host bits of the service range. At least 8 (a /24 in IPv4): the first
// address goes to the `kubernetes` service and the tenth to cluster DNS, and a
// smaller range runs out as soon as a few applications are installed. At most
// 20 (a /12): the limit kube-apiserver has long had for service ranges, and a
// million services is far beyond the ~10,000 Kubernetes is tested with.
export const SERVICE_CIDR_HOST_BITS = { min: 8, max: 20 } as const;

/** flannel gives every node a subnet of this size from the pod range (its default SubnetLen and IPv6SubnetLen). */
export const NODE_POD_SUBNET_PREFIX = { 4: 24, 6: 64 } as const satisfies Record<IpFamily, number>;

/** Bytes flannel's VXLAN backend adds to every packet, by the IP family of the underlay (the node addresses). */
export const VXLAN_OVERHEAD = { 4: 50, 6: 70 } as const satisfies Record<IpFamily, number>;

/** IPv6 requires every link to carry packets of 1280 bytes (RFC 8200, section 5). */
export const IPV6_MIN_LINK_MTU = 1280;

/**
 * The underlay MTU `networking.mtu` may set. 576 is the smallest datagram every IPv4 host must accept; 9000 is
 * the common jumbo frame. With IPv6 in the pod network, the pods' VXLAN link (the underlay MTU less the larger,
 * IPv6, VXLAN overhead) must still carry 1280 bytes, so the floor rises to 1350.
 */
export const POD_NETWORK_MTU = {
  min: 576,
  max: 9000,
  minWithIPv6: IPV6_MIN_LINK_MTU + VXLAN_OVERHEAD[6],
} as const;

/** At most one range per IP family: IPv4, IPv6, or both (dual-stack). */
export const MAX_RANGES = 2;

export type RangeKind = 'pod' | 'service';

/** A problem with a range list; `index` names the entry it is about, absent when it is about the whole list. */
export interface RangeListProblem extends Problem {
  readonly index?: number;
}

const TYPICAL_SERVICE_PREFIX: Readonly<Record<IpFamily, number>> = { 4: 16, 6: 112 };

/** A service range is as large as kube-apiserver allows and large enough for the well-known addresses. */
export function checkServiceRangeSize(cidr: Cidr): Problem | undefined {
  const bits = ADDRESS_BITS[cidr.family];
  const largest = bits - SERVICE_CIDR_HOST_BITS.max;
  const smallest = bits - SERVICE_CIDR_HOST_BITS.min;
  const typical = TYPICAL_SERVICE_PREFIX[cidr.family];
  const example = formatCidr(cidr.prefix > typical ? widen(cidr, typical) : { ...cidr, prefix: typical });
  if (cidr.prefix < largest) {
    return {
      message: `is too large: a service range may be at most a /${largest}`,
      hint: `use a /${largest} or smaller range, e.g. "${example}"`,
    };
  }
  if (cidr.prefix > smallest) {
    return {
      message: `is too small: a service range needs at least a /${smallest}`,
      hint: `use a /${smallest} or larger range, e.g. "${example}"`,
    };
  }
  return undefined;
}

/**
 * Checks the ranges of `networking.podCidr` or `networking.serviceCidr`: each a network address, at most one per
 * IP family, and service ranges of a size kube-apiserver accepts.
 */
export function checkRangeList(entries: readonly string[], kind: RangeKind): RangeListProblem[] {
  if (entries.length === 0) {
    return [{ message: 'lists no range', hint: 'e.g. "10.2.0.0/16"' }];
  }
  if (entries.length > MAX_RANGES) {
    return [
      {
        message: `lists ${entries.length} ranges, but a cluster has at most one per IP family`,
        hint: 'keep one IPv4 range, one IPv6 range, or one of each (dual-stack)',
      },
    ];
  }
  const problems: RangeListProblem[] = [];
  const seen = new Map<IpFamily, number>();
  entries.forEach((entry, index) => {
    const parsed = parseCidr(entry);
    if (!parsed.ok) {
      problems.push({ ...parsed.problem, index });
      return;
    }
    const { family } = parsed.cidr;
    const first = seen.get(family);
    if (first !== undefined) {
      problems.push({
        index,
        message: `is a second IPv${family} range (after "${entries[first]}"); a cluster has at most one per IP family`,
        hint: `remove one, or use an IPv${family === 4 ? 6 : 4} range for dual-stack`,
      });
      return;
    }
    seen.set(family, index);
    const size = kind === 'service' ? checkServiceRangeSize(parsed.cidr) : undefined;
    if (size !== undefined) {
      problems.push({ ...size, index });
    }
  });
  return problems;
}

/** The written field as its entries: a list as written, or a Kubernetes-style comma-separated string. */
export function rangeEntries(value: string | readonly string[]): readonly string[] {
  return typeof value === 'string' ? splitCidrList(value) : value;
}

/** The IP families of a well-formed range list, in its order; undefined if any entry is no range. */
export function rangeFamilies(entries: readonly string[]): IpFamily[] | undefined {
  const families: IpFamily[] = [];
  for (const entry of entries) {
    const parsed = parseCidr(entry);
    if (!parsed.ok) return undefined;
    families.push(parsed.cidr.family);
  }
  return families;
}

export function describeFamilies(families: readonly IpFamily[]): string {
  return families.length > 1 ? `dual-stack (${families.map((f) => `IPv${f}`).join(', ')})` : `IPv${families[0] ?? 4}`;
}

/** The smallest `networking.mtu` for a pod network of these families. */
export function minimumMtu(podFamilies: readonly IpFamily[]): number {
  return podFamilies.includes(6) ? POD_NETWORK_MTU.minWithIPv6 : POD_NETWORK_MTU.min;
}
