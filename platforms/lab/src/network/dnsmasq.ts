// The lab's DHCP and DNS server is dnsmasq (Debian's dnsmasq-base), as in matchbox's own network-boot setups. It
// answers only on the lab's bridge, only the MACs in its hosts file (each with its fixed address), offers the host end
// of the lab's veth pair as the router (which forwards nothing: see lab-network.ts) and itself as the DNS server, which
// knows only the lab's names (machines, and names the lab is given such as a cluster's API name) and asks no one
// else, and names the boot server's /boot.ipxe as the boot file to
// iPXE clients, which identify themselves with the user class "iPXE".
import type { LabAddressing } from './addressing.ts';

export interface DnsmasqFiles {
  /** MAC,address,hostname lines; re-read on SIGHUP. */
  readonly hostsFile: string;
  /** `address name` lines (/etc/hosts' format): the names the lab's DNS answers; re-read on SIGHUP. */
  readonly namesFile: string;
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
    // Nothing from the host's /etc: no dnsmasq.conf, no resolv.conf, no hosts file. Without a resolv.conf or a
    // --server, DNS has no upstream: a name that is not the lab's is refused, never looked up outside.
    '--conf-file=/dev/null',
    '--no-resolv',
    '--no-hosts',
    `--addn-hosts=${files.namesFile}`,
    `--interface=${bridge}`,
    '--bind-interfaces',
    `--pid-file=${files.pidFile}`,
    `--dhcp-leasefile=${files.leaseFile}`,
    `--dhcp-hostsfile=${files.hostsFile}`,
    // "static": addresses only for the MACs in the hosts file, none from a pool.
    `--dhcp-range=${addressing.network},static,${addressing.netmask},${options.leaseSeconds ?? 3600}`,
    '--dhcp-authoritative',
    // A default route via the host end, as a machine in a datacenter has one: programs that pick "the" address of a
    // machine by its default route (the kubelet's node address, kube-proxy, flannel) find the lab's. The host end
    // forwards nothing, so the route leads no further than the host.
    `--dhcp-option=option:router,${addressing.hostAddress}`,
    `--dhcp-option=option:dns-server,${addressing.serverAddress}`,
    '--dhcp-userclass=set:ipxe,iPXE',
    `--dhcp-boot=tag:ipxe,${options.bootfileUrl}`,
  ];
}

export interface DhcpHost {
  readonly mac: string;
  readonly address: string;
  readonly hostname: string;
}

/** A name the lab's DNS answers with an address. */
export interface DnsName {
  readonly name: string;
  readonly address: string;
}

/** One line of the names file. */
export function dnsNameLine(record: DnsName): string {
  return `${record.address} ${record.name}`;
}

/** One line of the hosts file: a MAC's fixed address and the host name it is given. */
export function dhcpHostLine(host: DhcpHost): string {
  return `${host.mac},${host.address},${host.hostname}`;
}
