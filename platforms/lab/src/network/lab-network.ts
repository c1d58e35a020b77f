// The lab's private network: a network namespace that holds a bridge, one tap per machine and the DHCP server, and a
// veth pair whose host end carries the lab's first address, where the host's services (the boot server, later the
// API server and the registry) listen for the machines.
//
// Containment: the namespace has no route but its own /24, and the host end of the veth pair, which DHCP offers the
// machines as their router, forwards nothing it receives (IPv4 forwarding off on that interface, IPv6 off), so no
// machine can reach another network through the host. QEMU's user-mode network is never used.
// Everything lives and dies with the namespace's holder: after a SIGKILL of the owner, the kernel removes the
// bridge, the taps and both ends of the veth pair.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findHostTool,
  hostIp,
  logTail,
  ManagedProcess,
  NetworkNamespace,
  PUBLIC_FILE_MODE,
  runCommand,
  waitFor,
  writeFileAtomic,
} from '@strata/host';
import { z } from 'zod';
import { LabConfigError, LabNetworkError } from '../errors.ts';
import { labAddressing, macSchema, type LabAddressing } from './addressing.ts';
import {
  dhcpHostLine,
  dnsmasqArguments,
  dnsNameLine,
  type DhcpHost,
  type DnsmasqFiles,
  type DnsName,
} from './dnsmasq.ts';

/** Inside the namespace: the bridge the taps and the veth pair's inner end join. */
export const LAB_BRIDGE = 'labbr0';
const INNER_END = 'uplink';

const hostnameSchema = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a DNS label: a-z, 0-9 and -, at most 63, e.g. lab-1');

const dnsNameSchema = z
  .string()
  .max(253)
  .regex(
    /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
    'must be a lower-case DNS name, e.g. api.lab.example.com',
  );

export interface LabNetworkOptions {
  /** The lab's files (DHCP hosts and leases, logs); created if missing. */
  readonly workDir: string;
  /** A private /24; DEFAULT_LAB_SUBNET unless given. */
  readonly subnet?: string;
  /** For messages and the namespace holder's name. */
  readonly name?: string;
}

export interface LabNic {
  readonly mac: string;
  readonly hostname: string;
  readonly address: string;
  /** The machine's tap on the lab's bridge, inside the namespace. */
  readonly tap: string;
}

export interface DhcpOptions {
  /** What iPXE chains to, e.g. `http://<hostAddress>:<port>/boot.ipxe`. */
  readonly bootfileUrl: string;
}

export class LabNetwork {
  readonly name: string;
  readonly addressing: LabAddressing;
  readonly namespace: NetworkNamespace;
  /** The host end of the veth pair, holding `addressing.hostAddress`. */
  readonly hostInterface: string;
  readonly #workDir: string;
  readonly #dhcpDir: string;
  readonly #dhcpFiles: DnsmasqFiles;
  readonly #nics: LabNic[] = [];
  #names: readonly DnsName[] = [];
  #dnsmasq: ManagedProcess | undefined;

  private constructor(
    name: string,
    addressing: LabAddressing,
    namespace: NetworkNamespace,
    hostInterface: string,
    workDir: string,
    dhcpDir: string,
  ) {
    this.name = name;
    this.addressing = addressing;
    this.namespace = namespace;
    this.hostInterface = hostInterface;
    this.#workDir = workDir;
    this.#dhcpDir = dhcpDir;
    this.#dhcpFiles = {
      hostsFile: join(dhcpDir, 'hosts'),
      namesFile: join(dhcpDir, 'names'),
      leaseFile: join(dhcpDir, 'leases'),
      pidFile: join(dhcpDir, 'dnsmasq.pid'),
    };
  }

  /** The host's address on the lab network: where services the machines use must listen. */
  get hostAddress(): string {
    return this.addressing.hostAddress;
  }

  get nics(): readonly LabNic[] {
    return this.#nics;
  }

  static async create(options: LabNetworkOptions): Promise<LabNetwork> {
    const addressing = labAddressing(options.subnet);
    const name = options.name ?? 'lab';
    await mkdir(options.workDir, { recursive: true });
    // dnsmasq drops to an unprivileged user and re-reads its hosts file as that user on SIGHUP, so the file must be
    // reachable from / by anyone: not under the lab's directory, which may be private. It holds MACs and addresses.
    const dhcpDir = await mkdtemp(join(tmpdir(), 'strata-lab-dhcp-'));
    await chmod(dhcpDir, 0o755);
    const namespace = await NetworkNamespace.create({
      name,
      logDir: options.workDir,
      removeWhenOrphaned: [dhcpDir],
    }).catch(async (error: unknown) => {
      await rm(dhcpDir, { recursive: true, force: true });
      throw error;
    });
    // Interface names hold 15 characters; this one must not collide with another lab's on the same host.
    const hostInterface = `sl${randomBytes(4).toString('hex')}`;
    const network = new LabNetwork(name, addressing, namespace, hostInterface, options.workDir, dhcpDir);
    try {
      await network.#wire();
      return network;
    } catch (error) {
      await namespace.close();
      await rm(dhcpDir, { recursive: true, force: true });
      throw error;
    }
  }

  async #wire(): Promise<void> {
    const { addressing, namespace, hostInterface } = this;
    const cidr = (address: string) => `${address}/${addressing.prefixLength}`;
    await namespace.ip(['link', 'add', LAB_BRIDGE, 'type', 'bridge']);
    await namespace.ip(['addr', 'add', cidr(addressing.serverAddress), 'dev', LAB_BRIDGE]);
    await namespace.ip(['link', 'set', LAB_BRIDGE, 'up']);
    await hostIp([
      'link',
      'add',
      hostInterface,
      'type',
      'veth',
      'peer',
      'name',
      INNER_END,
      'netns',
      String(namespace.pid),
    ]);
    await namespace.ip(['link', 'set', INNER_END, 'master', LAB_BRIDGE, 'up']);
    // Before the address and the link come up, so that not one packet is forwarded or autoconfigured.
    await writeSysctl(`ipv4/conf/${hostInterface}/forwarding`, '0');
    await writeSysctl(`ipv6/conf/${hostInterface}/disable_ipv6`, '1');
    await hostIp(['addr', 'add', cidr(addressing.hostAddress), 'dev', hostInterface]);
    await hostIp(['link', 'set', hostInterface, 'up']);
    await writeFileAtomic(this.#dhcpFiles.hostsFile, '', PUBLIC_FILE_MODE);
  }

  /** Starts the DHCP server; machines added before or after get their addresses. */
  async startDhcp(options: DhcpOptions): Promise<void> {
    if (this.#dnsmasq !== undefined) {
      throw new LabNetworkError(`the DHCP server of lab ${this.name} is already running`, { lab: this.name });
    }
    const bootfileUrl = z.url({ protocol: /^https?$/ }).safeParse(options.bootfileUrl);
    if (!bootfileUrl.success) {
      throw new LabConfigError(`bootfileUrl ${JSON.stringify(options.bootfileUrl)} must be an http(s) URL`, {
        field: 'bootfileUrl',
        value: options.bootfileUrl,
      });
    }
    const dnsmasq = await findHostTool('dnsmasq', 'dnsmasq-base');
    await this.#writeFiles();
    const inside = this.namespace.commandIn(
      dnsmasq,
      dnsmasqArguments({
        addressing: this.addressing,
        bridge: LAB_BRIDGE,
        files: this.#dhcpFiles,
        bootfileUrl: bootfileUrl.data,
      }),
    );
    const process = ManagedProcess.start({
      name: `dnsmasq (lab ${this.name})`,
      command: inside.command,
      args: inside.args,
      logFile: this.dhcpLogFile,
      gracePeriodMs: 2_000,
    });
    this.#dnsmasq = process;
    await this.#untilFilesRead({ hosts: 0, names: 0 }, process);
  }

  get dhcpLogFile(): string {
    return join(this.#workDir, 'dnsmasq.log');
  }

  /**
   * Attaches a machine: a tap on the bridge, and its MAC's fixed address in the DHCP server's hosts file, read by the
   * server before this returns.
   */
  async addMachine(machine: { readonly mac: string; readonly hostname: string }): Promise<LabNic> {
    const mac = macSchema.safeParse(machine.mac);
    if (!mac.success) {
      throw new LabConfigError(
        `machine ${machine.hostname}: mac ${JSON.stringify(machine.mac)} ${mac.error.issues[0]?.message}`,
        {
          field: 'mac',
          value: machine.mac,
        },
      );
    }
    const hostname = hostnameSchema.safeParse(machine.hostname);
    if (!hostname.success) {
      throw new LabConfigError(
        `machine ${machine.mac}: hostname ${JSON.stringify(machine.hostname)} ${hostname.error.issues[0]?.message}`,
        { field: 'hostname', value: machine.hostname },
      );
    }
    for (const nic of this.#nics) {
      if (nic.mac === mac.data || nic.hostname === hostname.data) {
        throw new LabConfigError(
          `machine ${hostname.data} (${mac.data}): lab ${this.name} already has ${nic.hostname} (${nic.mac}); MACs and hostnames must be unique`,
          { field: nic.mac === mac.data ? 'mac' : 'hostname', value: nic.mac === mac.data ? mac.data : hostname.data },
        );
      }
    }
    const index = this.#nics.length;
    const nic: LabNic = {
      mac: mac.data,
      hostname: hostname.data,
      address: this.addressing.machineAddress(index),
      tap: `tap${index}`,
    };
    await this.namespace.ip(['tuntap', 'add', 'dev', nic.tap, 'mode', 'tap']);
    await this.namespace.ip(['link', 'set', nic.tap, 'master', LAB_BRIDGE, 'up']);
    this.#nics.push(nic);
    await this.#writeFiles();
    return nic;
  }

  /**
   * Names the lab's DNS answers besides the machines' hostnames (a cluster's API name, the machines' domains), all of
   * them, replacing those set before; read by the server before this returns. Machines resolve nothing else.
   */
  async setNames(names: readonly DnsName[]): Promise<void> {
    const checked: DnsName[] = [];
    for (const [index, record] of names.entries()) {
      const name = dnsNameSchema.safeParse(record.name);
      if (!name.success) {
        throw new LabConfigError(
          `names[${index}].name ${JSON.stringify(record.name)} ${name.error.issues[0]?.message}`,
          { field: `names[${index}].name`, value: record.name },
        );
      }
      const address = z.ipv4().safeParse(record.address);
      if (!address.success) {
        throw new LabConfigError(
          `names[${index}].address ${JSON.stringify(record.address)} must be an IPv4 address, e.g. ${this.hostAddress}`,
          { field: `names[${index}].address`, value: record.address },
        );
      }
      checked.push({ name: name.data, address: address.data });
    }
    this.#names = checked;
    await this.#writeFiles();
  }

  /** The DHCP hosts file and the DNS names file, then (once dnsmasq runs) its SIGHUP and its reading both. */
  async #writeFiles(): Promise<void> {
    const hosts: DhcpHost[] = this.#nics.map(({ mac, address, hostname }) => ({ mac, address, hostname }));
    const names: DnsName[] = [
      ...this.#nics.map(({ hostname, address }) => ({ name: hostname, address })),
      ...this.#names,
    ];
    await writeFileAtomic(this.#dhcpFiles.hostsFile, hosts.map(dhcpHostLine).join('\n') + '\n', PUBLIC_FILE_MODE);
    await writeFileAtomic(this.#dhcpFiles.namesFile, names.map(dnsNameLine).join('\n') + '\n', PUBLIC_FILE_MODE);
    const dnsmasq = this.#dnsmasq;
    if (dnsmasq === undefined) return;
    const before = await this.#fileReads();
    process.kill(await dnsmasq.pid, 'SIGHUP');
    await this.#untilFilesRead(before, dnsmasq);
  }

  /**
   * How often dnsmasq has read each of its files (at start and at each SIGHUP), by its own log lines (`read <hosts>`,
   * `read <names> - N names`); fails on a read it reports failed.
   */
  async #fileReads(): Promise<{ hosts: number; names: number }> {
    const lines = (await readFile(this.dhcpLogFile, 'utf8').catch(() => '')).split('\n');
    const { hostsFile, namesFile } = this.#dhcpFiles;
    for (const file of [hostsFile, namesFile]) {
      const failed = lines.find(
        (line) => line.includes(`cannot read ${file}`) || line.includes(`failed to load names from ${file}`),
      );
      if (failed !== undefined) throw new LabNetworkError(`dnsmasq ${failed.trim()}`, { file });
    }
    return {
      hosts: lines.filter((line) => line.endsWith(`: read ${hostsFile}`)).length,
      names: lines.filter((line) => line.includes(`: read ${namesFile} - `)).length,
    };
  }

  async #untilFilesRead(before: { hosts: number; names: number }, dnsmasq: ManagedProcess): Promise<void> {
    try {
      await waitFor(
        `dnsmasq of lab ${this.name} to read ${this.#dhcpFiles.hostsFile} and ${this.#dhcpFiles.namesFile}`,
        async () => {
          if (!dnsmasq.running) throw await dnsmasq.failure('exited');
          const now = await this.#fileReads();
          return now.hosts > before.hosts && now.names > before.names ? true : undefined;
        },
        { timeoutMs: 15_000, intervalMs: 20 },
      );
    } catch (error) {
      throw new LabNetworkError(
        `the DHCP and DNS server of lab ${this.name} did not take its files: ${(error as Error).message}\n` +
          `dnsmasq's log:\n${await logTail(this.dhcpLogFile, 20)}`,
        { lab: this.name, logFile: this.dhcpLogFile },
        { cause: error },
      );
    }
  }

  /** The leases dnsmasq has handed out: `expiry mac address hostname client-id` lines. */
  async leases(): Promise<string> {
    return readFile(this.#dhcpFiles.leaseFile, 'utf8').catch(() => '');
  }

  /** Stops the DHCP server and the namespace's holder: the kernel removes the bridge, the taps and the veth pair. */
  async close(): Promise<void> {
    await this.#dnsmasq?.stop();
    await this.namespace.close();
    await rm(this.#dhcpDir, { recursive: true, force: true });
    // The kernel tears a namespace down after its last process is gone, not with it: wait until the host end of the
    // veth pair has gone with it, so that a new lab on the same subnet does not meet the old address.
    await waitFor(
      `the host end ${this.hostInterface} of lab ${this.name} to go with its namespace`,
      async () => ((await runCommand('ip', ['link', 'show', 'dev', this.hostInterface])).code === 0 ? undefined : true),
      { timeoutMs: 30_000, intervalMs: 20 },
    );
  }
}

/** Writes one of this process's namespace's /proc/sys/net settings, e.g. `ipv4/conf/eth0/forwarding`. */
async function writeSysctl(key: string, value: string): Promise<void> {
  try {
    await writeFile(`/proc/sys/net/${key}`, value);
  } catch (error) {
    throw new LabNetworkError(`cannot set net.${key.replaceAll('/', '.')}=${value}: ${(error as Error).message}`, {
      key,
      value,
    });
  }
}
