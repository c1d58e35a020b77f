// The lab's DHCP server is dnsmasq (Debian's dnsmasq-base), as in matchbox's own network-boot setups. It answers
// only on the lab's bridge, only the MACs in its hosts file (each with its fixed address), offers no router and no
// DNS server (the machines have nowhere to route to), and names the boot server's /boot.ipxe as the boot file to
// iPXE clients, which identify themselves with the user class "iPXE".
import type { LabAddressing } from './addressing.ts';

export interface DnsmasqFiles {
  /** MAC,address,hostname lines; re-read on SIGHUP. */
  readonly hostsFile: string;
  readonly leaseFile: string;
  readonly pidFile: string;
}

export interface DnsmasqOptions {
  readonly addressing: LabAddressing;
  readonly bridge: string;
  readonly files: DnsmasqFiles;
  /** The boot file iPXE is told to chain to, e.g. http://10.213.0.1:8080/boot.ipxe. */
  readonly bootfileUrl: string;
  /** How long a lease lasts; machines renew at half of it. */
  readonly leaseSeconds?: number;
}

export function dnsmasqArguments(options: DnsmasqOptions): string[] {
  const { addressing, bridge, files } = options;
  return [
    '--keep-in-foreground',
    // Its log (with each DHCP exchange) to stderr, which the guardian writes to the lab's log file.
    '--log-facility=-',
    '--log-dhcp',
    // Nothing from the host's /etc: no dnsmasq.conf, no resolv.conf, no hosts file.
    '--conf-file=/dev/null',
    '--no-resolv',
    '--no-hosts',
    // DHCP only: port 0 turns the DNS server off.
    '--port=0',
    `--interface=${bridge}`,
    '--bind-interfaces',
    `--pid-file=${files.pidFile}`,
    `--dhcp-leasefile=${files.leaseFile}`,
    `--dhcp-hostsfile=${files.hostsFile}`,
    // "static": addresses only for the MACs in the hosts file, none from a pool.
    `--dhcp-range=${addressing.network},static,${addressing.netmask},${options.leaseSeconds ?? 3600}`,
    '--dhcp-authoritative',
    // An option named with no value is not sent: no default route and no DNS server for the machines.
    '--dhcp-option=option:router',
    '--dhcp-option=option:dns-server',
    '--dhcp-userclass=set:ipxe,iPXE',
    `--dhcp-boot=tag:ipxe,${options.bootfileUrl}`,
  ];
}

export interface DhcpHost {
  readonly mac: string;
  readonly address: string;
  readonly hostname: string;
}

/** One line of the hosts file: a MAC's fixed address and the host name it is given. */
export function dhcpHostLine(host: DhcpHost): string {
  return `${host.mac},${host.address},${host.hostname}`;
}
