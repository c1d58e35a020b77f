import { networkInterfaces } from 'node:os';
import { StrataError } from '@strata/api';
import { networkOfInterface, type Cidr } from '../net/cidr.ts';

/** The networks this machine's interfaces are on, loopback excluded. */
export function localHostNetworks(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .flatMap((address) => (address === undefined || address.internal || address.cidr === null ? [] : [address.cidr]));
}

/** Interface CIDRs ("192.168.1.23/24") as networks; these come from code, so a bad one is a bug, not a config problem. */
export function toHostNetworks(cidrs: readonly string[]): Cidr[] {
  return cidrs.map((text) => {
    const cidr = networkOfInterface(text);
    if (cidr === undefined) {
      throw new StrataError(`host network "${text}" is not a CIDR`, { hostNetwork: text });
    }
    return cidr;
  });
}
