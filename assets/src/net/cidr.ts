import { isIPv4, isIPv6 } from 'node:net';
import { StrataError } from '@strata/api';

/** What is wrong with a written range, and how to fix it (the config's Problem shape). */
interface Problem {
  readonly message: string;
  readonly hint?: string;
}

export class CidrError extends StrataError {}

export type IpFamily = 4 | 6;

/** An IP range with its host bits cleared. Addresses are bigints so that IPv4 and IPv6 share one code path. */
export interface Cidr {
  readonly family: IpFamily;
  readonly network: bigint;
  readonly prefix: number;
}

export type CidrResult = { readonly ok: true; readonly cidr: Cidr } | { readonly ok: false; readonly problem: Problem };

export const ADDRESS_BITS: Readonly<Record<IpFamily, number>> = { 4: 32, 6: 128 };

/** The size hints suggest when the written prefix length is unusable. */
const EXAMPLE_PREFIX: Readonly<Record<IpFamily, number>> = { 4: 16, 6: 64 };

function parseIPv4(text: string): bigint {
  return text.split('.').reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n);
}

function parseIPv6(text: string): bigint {
  let groups: string[];
  const dottedTail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let head = text;
  let tail: string[] = [];
  if (dottedTail?.[1] !== undefined) {
    const v4 = parseIPv4(dottedTail[1]);
    tail = [(v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16)];
    head = text.slice(0, -dottedTail[1].length).replace(/:$/, '');
    if (head.endsWith(':')) {
      head += ':';
    }
  }
  if (head.includes('::')) {
    const [left = '', right = ''] = head.split('::');
    const leftGroups = left === '' ? [] : left.split(':');
    const rightGroups = [...(right === '' ? [] : right.split(':')), ...tail];
    const missing = 8 - leftGroups.length - rightGroups.length;
    groups = [...leftGroups, ...Array<string>(missing).fill('0'), ...rightGroups];
  } else {
    groups = [...(head === '' ? [] : head.split(':')), ...tail];
  }
  return groups.reduce((value, group) => (value << 16n) | BigInt(parseInt(group, 16)), 0n);
}

/** Parses a plain IPv4 or IPv6 address (no zone index). */
export function parseAddress(text: string): { family: IpFamily; value: bigint } | undefined {
  if (isIPv4(text)) {
    return { family: 4, value: parseIPv4(text) };
  }
  if (isIPv6(text) && !text.includes('%')) {
    return { family: 6, value: parseIPv6(text) };
  }
  return undefined;
}

/** RFC 5952 text: dotted quad, or lower-case IPv6 with the longest run of zero groups as "::". */
export function formatAddress(family: IpFamily, value: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => ((value >> shift) & 0xffn).toString()).join('.');
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) {
      length++;
    }
    if (length > bestLength) {
      bestStart = start;
      bestLength = length;
    }
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart === -1) {
    return hex.join(':');
  }
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

export function formatCidr(cidr: Cidr): string {
  return `${formatAddress(cidr.family, cidr.network)}/${cidr.prefix}`;
}

function hostMask(family: IpFamily, prefix: number): bigint {
  return (1n << BigInt(ADDRESS_BITS[family] - prefix)) - 1n;
}

function mask(family: IpFamily, value: bigint, prefix: number): bigint {
  return value & ~hostMask(family, prefix);
}

/**
 * Parses a range as written in the config: the host bits must be clear, because
 * "10.2.0.1/16" is usually a typo whose intended range we should not guess silently.
 */
export function parseCidr(text: string): CidrResult {
  const parts = text.split('/');
  const [addressText = '', prefixText] = parts;
  if (parts.length !== 2 || prefixText === undefined) {
    const address = parseAddress(addressText);
    const example = address === undefined ? '10.2.0.0/16' : `${addressText}/${EXAMPLE_PREFIX[address.family]}`;
    return {
      ok: false,
      problem: { message: 'is not in CIDR notation (address/prefix length)', hint: `e.g. "${example}"` },
    };
  }
  const address = parseAddress(addressText);
  if (address === undefined) {
    return {
      ok: false,
      problem: {
        message: `has an invalid IP address "${addressText}"`,
        hint: 'e.g. "10.2.0.0/16" or "fd00:10:2::/56"',
      },
    };
  }
  const bits = ADDRESS_BITS[address.family];
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= bits)) {
    const example = EXAMPLE_PREFIX[address.family];
    return {
      ok: false,
      problem: {
        message: `has an invalid prefix length "/${prefixText}": an IPv${address.family} range has 0 to ${bits}`,
        hint: `e.g. "${formatCidr({ family: address.family, network: mask(address.family, address.value, example), prefix: example })}"`,
      },
    };
  }
  const network = mask(address.family, address.value, prefix);
  const cidr: Cidr = { family: address.family, network, prefix };
  if (network !== address.value) {
    return {
      ok: false,
      problem: {
        message: `has host bits set: the range starts at ${formatAddress(address.family, network)}`,
        hint: `use "${formatCidr(cidr)}"`,
      },
    };
  }
  return { ok: true, cidr };
}

/** An interface's address with its prefix ("192.168.1.23/24") as the network it is on. */
export function networkOfInterface(text: string): Cidr | undefined {
  const [addressText = '', prefixText = ''] = text.split('/');
  const address = parseAddress(addressText);
  const prefix = Number(prefixText);
  if (address === undefined || !/^\d{1,3}$/.test(prefixText) || prefix > ADDRESS_BITS[address.family]) {
    return undefined;
  }
  return { family: address.family, network: mask(address.family, address.value, prefix), prefix };
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) {
    return false;
  }
  const prefix = Math.min(a.prefix, b.prefix);
  return mask(a.family, a.network, prefix) === mask(b.family, b.network, prefix);
}

/** The same network with a shorter prefix, i.e. the enclosing larger range. */
export function widen(cidr: Cidr, prefix: number): Cidr {
  return { family: cidr.family, network: mask(cidr.family, cidr.network, prefix), prefix };
}

// Where suggestions come from: private ranges only (RFC 1918, RFC 4193), so a
// suggestion never collides with public addresses the cluster must reach.
const PRIVATE_BLOCKS: readonly Cidr[] = [
  { family: 4, network: parseIPv4('10.0.0.0'), prefix: 8 },
  { family: 4, network: parseIPv4('172.16.0.0'), prefix: 12 },
  { family: 4, network: parseIPv4('192.168.0.0'), prefix: 16 },
  { family: 6, network: parseIPv6('fd00::'), prefix: 8 },
];
const MAX_CANDIDATES_PER_BLOCK = 1 << 16;

/** The first private range of the given size that overlaps none of `taken`, for "use this instead" hints. */
export function freeRange(family: IpFamily, prefix: number, taken: readonly Cidr[]): Cidr | undefined {
  for (const block of PRIVATE_BLOCKS) {
    if (block.family !== family || prefix < block.prefix) {
      continue;
    }
    const step = 1n << BigInt(ADDRESS_BITS[family] - prefix);
    const count = Math.min(2 ** (prefix - block.prefix), MAX_CANDIDATES_PER_BLOCK);
    for (let i = 0; i < count; i++) {
      const candidate: Cidr = { family, network: block.network + BigInt(i) * step, prefix };
      if (!taken.some((range) => overlaps(range, candidate))) {
        return candidate;
      }
    }
  }
  return undefined;
}

export function lastAddress(cidr: Cidr): bigint {
  return cidr.network | hostMask(cidr.family, cidr.prefix);
}

export function containsAddress(cidr: Cidr, address: { family: IpFamily; value: bigint }): boolean {
  return cidr.family === address.family && address.value >= cidr.network && address.value <= lastAddress(cidr);
}

/**
 * The n-th address of a range written as text (n = 1 is the first usable one):
 * kube-apiserver takes the first of the service CIDR for the `kubernetes`
 * Service, and Strata gives cluster DNS the tenth.
 */
export function nthAddress(text: string, n: number): string {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new CidrError(`"${text}" ${parsed.problem.message}`, { cidr: text });
  const value = parsed.cidr.network + BigInt(n);
  if (n < 0 || value > lastAddress(parsed.cidr))
    throw new CidrError(`${text} has no address number ${n}`, { cidr: text, n });
  return formatAddress(parsed.cidr.family, value);
}

/**
 * The entries of a range list as Kubernetes flags write it ("10.2.0.0/16,fd00:10:2::/56", one per IP family,
 * the primary family first). A single range is a list of one.
 */
export function splitCidrList(text: string): string[] {
  return text.split(',').map((entry) => entry.trim());
}

/** The n-th address of every range of a list, in the list's order (see nthAddress). */
export function nthAddresses(text: string, n: number): string[] {
  return splitCidrList(text).map((entry) => nthAddress(entry, n));
}
