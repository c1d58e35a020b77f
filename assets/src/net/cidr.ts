import { isIPv4 } from 'node:net';
import { StrataError } from '../errors/strata-error.ts';

export class CidrError extends StrataError {}

function ipv4ToBigInt(address: string): bigint {
  return address.split('.').reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n);
}

function bigIntToIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join('.');
}

/**
 * The n-th address of an IPv4 CIDR (n = 1 is the first usable one):
 * kube-apiserver takes the first of the service CIDR for the `kubernetes`
 * Service, and Strata gives cluster DNS the tenth.
 */
export function nthAddress(cidr: string, n: number): string {
  const [network, prefixText] = cidr.split('/');
  const prefix = Number(prefixText);
  if (network === undefined || !isIPv4(network) || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) {
    throw new CidrError(`"${cidr}" is not an IPv4 CIDR`, { cidr });
  }
  const size = 1n << BigInt(32 - prefix);
  if (BigInt(n) >= size) throw new CidrError(`${cidr} has no address number ${n}`, { cidr, n });
  const base = ipv4ToBigInt(network) & ~(size - 1n) & 0xffffffffn;
  return bigIntToIpv4(base + BigInt(n));
}
