// The lab's one IPv4 subnet, a /24 in a private range, and who holds which address in it: the host's end of the
// veth pair (.1, where the host's services listen for the machines), the DHCP server on the lab's bridge (.2), and
// the machines from .10 up, each fixed by its MAC.
import { z } from 'zod';
import { LabConfigError } from '../errors.ts';

export const DEFAULT_LAB_SUBNET = '10.213.0.0/24';
export const FIRST_MACHINE_HOST = 10;
export const LAST_MACHINE_HOST = 250;

const PRIVATE_RANGES: readonly (readonly [number, number, number])[] = [
  // first octet, and the second octet's range (RFC 1918)
  [10, 0, 255],
  [172, 16, 31],
  [192, 168, 168],
];

const subnetSchema = z
  .cidrv4({ message: 'must be an IPv4 subnet in CIDR form, e.g. 10.213.0.0/24' })
  .refine((cidr) => cidr.endsWith('/24'), { message: 'must be a /24 (the lab gives each machine one address in it)' })
  .refine((cidr) => cidr.split('/')[0]?.split('.')[3] === '0', {
    message: 'must name the network address, ending in .0/24',
  })
  .refine(
    (cidr) => {
      const [first, second] = (cidr.split('/')[0] ?? '').split('.').map(Number);
      return PRIVATE_RANGES.some(
        ([a, low, high]) => first === a && second !== undefined && second >= low && second <= high,
      );
    },
    { message: 'must be in a private range (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16): the lab never routes out' },
  );

export const macSchema = z
  .string()
  .regex(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/, 'must be a lower-case colon-separated MAC such as 52:54:00:12:34:56')
  .refine((mac) => (Number.parseInt(mac.slice(0, 2), 16) & 1) === 0, {
    message: 'must be a unicast MAC (the first octet even), e.g. 52:54:00:12:34:56',
  });

export interface LabAddressing {
  readonly subnet: string;
  readonly prefixLength: 24;
  readonly netmask: '255.255.255.0';
  /** The network address, e.g. 10.213.0.0. */
  readonly network: string;
  /** The host's end of the veth pair, where the host's services listen for the machines. */
  readonly hostAddress: string;
  /** The DHCP server's, on the lab's bridge. */
  readonly serverAddress: string;
  /** The address of the `index`th machine (0-based). */
  machineAddress(index: number): string;
}

export function labAddressing(subnet: string = DEFAULT_LAB_SUBNET): LabAddressing {
  const parsed = subnetSchema.safeParse(subnet);
  if (!parsed.success) {
    throw new LabConfigError(`lab subnet ${JSON.stringify(subnet)}: ${parsed.error.issues[0]?.message ?? 'invalid'}`, {
      field: 'subnet',
      value: subnet,
    });
  }
  const network = parsed.data.split('/')[0] ?? '';
  const prefix = network.split('.').slice(0, 3).join('.');
  const machineCount = LAST_MACHINE_HOST - FIRST_MACHINE_HOST + 1;
  return {
    subnet: parsed.data,
    prefixLength: 24,
    netmask: '255.255.255.0',
    network,
    hostAddress: `${prefix}.1`,
    serverAddress: `${prefix}.2`,
    machineAddress(index) {
      if (!Number.isInteger(index) || index < 0 || index >= machineCount) {
        throw new LabConfigError(`machine index ${index}: the lab's /24 holds machines 0 to ${machineCount - 1}`, {
          field: 'machines',
          value: index,
        });
      }
      return `${prefix}.${FIRST_MACHINE_HOST + index}`;
    },
  };
}
