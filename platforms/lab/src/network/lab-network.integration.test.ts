// The lab's network for real: a namespace with the bridge, a veth pair to this process's namespace, dnsmasq on the
// bridge. A DHCP client (busybox's udhcpc) in a namespace of its own, on a veth port of the bridge, stands in for a
// machine's firmware: it must get its MAC's fixed address, the host end as router and no DNS server, and the boot file when it says
// it is iPXE; a MAC the lab does not know gets nothing. Taps are checked on the bridge; QEMU machines on them are the
// PXE end-to-end test's.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findHostTool, hostIp, NetworkNamespace } from '@strata/host';
import { LabConfigError } from '../errors.ts';
import { LAB_BRIDGE, LabNetwork } from './lab-network.ts';

const BOOTFILE = 'http://10.213.0.1:8080/boot.ipxe';

/** udhcpc hands the lease to a script in environment variables; this one writes them to a file. */
const LEASE_SCRIPT = `#!/bin/sh
[ "$1" = bound ] || exit 0
{
  echo "ip=$ip"
  echo "subnet=$subnet"
  echo "router=$router"
  echo "dns=$dns"
  echo "boot_file=$boot_file"
  echo "hostname=$hostname"
} > "$LEASE_OUT"
# The address too, so that the client can then ask the lab's DNS.
"$BUSYBOX" ip addr add "$ip/24" dev "$interface"
`;

/** Which option 77 (user class) the client sends: iPXE's, or none; names it then looks up at the lease's DNS server. */
type Client = { readonly mac: string; readonly ipxe: boolean; readonly lookups?: readonly string[] };

describe('the lab network', () => {
  let dir: string;
  let network: LabNetwork;
  let busybox: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-lab-net-'));
    busybox = await findHostTool('busybox', 'busybox-static');
    network = await LabNetwork.create({ workDir: join(dir, 'lab'), name: 'net-test' });
    await network.addMachine({ mac: '52:54:00:e2:00:01', hostname: 'lab-a' });
    await network.startDhcp({ bootfileUrl: BOOTFILE });
    // Added after the server started: the server must re-read its hosts file.
    await network.addMachine({ mac: '52:54:00:e2:00:02', hostname: 'lab-b' });
    await writeFile(join(dir, 'lease.sh'), LEASE_SCRIPT);
    await chmod(join(dir, 'lease.sh'), 0o755);
  });

  after(async () => {
    await network?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs udhcpc once as `client` on a port of the lab's bridge; the lease's variables, or undefined if none. */
  async function lease(client: Client): Promise<Record<string, string> | undefined> {
    const machine = await NetworkNamespace.create({ name: `client-${client.mac.slice(-2)}`, logDir: dir });
    const port = `cl${client.mac.replaceAll(':', '').slice(-6)}`;
    try {
      await network.namespace.ip([
        'link',
        'add',
        port,
        'type',
        'veth',
        'peer',
        'name',
        'eth0',
        'netns',
        String(machine.pid),
      ]);
      await network.namespace.ip(['link', 'set', port, 'master', LAB_BRIDGE, 'up']);
      await machine.ip(['link', 'set', 'eth0', 'address', client.mac, 'up']);
      const out = join(dir, `lease-${port}`);
      const args = ['udhcpc', '-i', 'eth0', '-f', '-q', '-n', '-t', '4', '-T', '1', '-s', join(dir, 'lease.sh')];
      // Option 77 as iPXE sends it: the bare string "iPXE" (hex 69 50 58 45).
      if (client.ipxe) args.push('-x', '0x4d:69505845');
      const result = await machine.run('env', [`LEASE_OUT=${out}`, `BUSYBOX=${busybox}`, busybox, ...args]);
      if (result.code !== 0) return undefined;
      const text = await readFile(out, 'utf8');
      const got: Record<string, string> = Object.fromEntries(
        text
          .trim()
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
      for (const name of client.lookups ?? []) {
        const answer = await machine.run(busybox, ['nslookup', '-type=a', name, got['dns'] ?? '']);
        got[`lookup ${name}`] = `${answer.code} ${answer.stdout}${answer.stderr}`;
      }
      return got;
    } finally {
      await machine.close();
    }
  }

  it('has no route but its own subnet, and the host end forwards nothing', async () => {
    const routes = (await network.namespace.ip(['-4', 'route', 'show'])).trim().split('\n');
    assert.deepEqual(
      routes.map((route) => route.split(' ')[0]),
      ['10.213.0.0/24'],
      `routes: ${routes.join('; ')}`,
    );
    const outside = await network.namespace.run('ip', ['route', 'get', '192.0.2.1']);
    assert.notEqual(outside.code, 0);
    assert.match(outside.stderr, /unreachable/i);
    const sysctl = (key: string) => readFile(`/proc/sys/net/${key}`, 'utf8').then((value) => value.trim());
    assert.equal(await sysctl(`ipv4/conf/${network.hostInterface}/forwarding`), '0');
    assert.equal(await sysctl(`ipv6/conf/${network.hostInterface}/disable_ipv6`), '1');
    assert.match(await hostIp(['-4', '-o', 'addr', 'show', 'dev', network.hostInterface]), /inet 10\.213\.0\.1\/24 /);
  });

  it('puts each machine tap on the bridge', async () => {
    const ports = await network.namespace.ip(['-o', 'link', 'show', 'master', LAB_BRIDGE]);
    for (const nic of network.nics) assert.match(ports, new RegExp(`: ${nic.tap}: `), ports);
    assert.deepEqual(
      network.nics.map(({ hostname, address, tap }) => ({ hostname, address, tap })),
      [
        { hostname: 'lab-a', address: '10.213.0.10', tap: 'tap0' },
        { hostname: 'lab-b', address: '10.213.0.11', tap: 'tap1' },
      ],
    );
  });

  it("gives an iPXE client its MAC's fixed address and the boot file, the host end as router, itself as DNS", async () => {
    const got = await lease({ mac: '52:54:00:e2:00:01', ipxe: true });
    assert.ok(got, `no lease; dnsmasq's log:\n${await readFile(network.dhcpLogFile, 'utf8')}`);
    assert.equal(got['ip'], '10.213.0.10');
    assert.equal(got['subnet'], '255.255.255.0');
    assert.equal(got['router'], network.hostAddress);
    assert.equal(got['dns'], network.addressing.serverAddress);
    assert.equal(got['boot_file'], BOOTFILE);
    assert.equal(got['hostname'], 'lab-a');
  });

  it('knows a machine added after the server started, and names no boot file to a client that is not iPXE', async () => {
    const got = await lease({ mac: '52:54:00:e2:00:02', ipxe: false });
    assert.ok(got, `no lease; dnsmasq's log:\n${await readFile(network.dhcpLogFile, 'utf8')}`);
    assert.equal(got['ip'], '10.213.0.11');
    assert.equal(got['boot_file'], '');
    assert.match(await network.leases(), /52:54:00:e2:00:02 10\.213\.0\.11 lab-b/);
  });

  it("answers the lab's names (machines and names it was given) and refuses every other", async () => {
    await network.setNames([{ name: 'api.lab.example.com', address: network.hostAddress }]);
    const got = await lease({
      mac: '52:54:00:e2:00:01',
      ipxe: false,
      lookups: ['api.lab.example.com', 'lab-b', 'example.com'],
    });
    assert.ok(got, `no lease; dnsmasq's log:\n${await readFile(network.dhcpLogFile, 'utf8')}`);
    assert.match(got['lookup api.lab.example.com'] ?? '', /^0 [\s\S]*Address: 10\.213\.0\.1\b/);
    assert.match(got['lookup lab-b'] ?? '', /^0 [\s\S]*Address: 10\.213\.0\.11\b/);
    // No upstream: a name that is not the lab's is refused, not looked up anywhere.
    assert.match(got['lookup example.com'] ?? '', /^1 [\s\S]*REFUSED/);
  });

  it('refuses a name or address that is not one, naming the entry', async () => {
    await assert.rejects(network.setNames([{ name: 'Bad_Name', address: '10.213.0.1' }]), (error: unknown) => {
      assert.ok(error instanceof LabConfigError, String(error));
      assert.equal(error.context['field'], 'names[0].name');
      return true;
    });
    await assert.rejects(network.setNames([{ name: 'ok.test', address: '10.213.0' }]), (error: unknown) => {
      assert.ok(error instanceof LabConfigError, String(error));
      assert.equal(error.context['field'], 'names[0].address');
      return true;
    });
  });

  it('gives a MAC it does not know no address', async () => {
    assert.equal(await lease({ mac: '52:54:00:e2:00:99', ipxe: true }), undefined);
    assert.match(await readFile(network.dhcpLogFile, 'utf8'), /52:54:00:e2:00:99 no address available/);
  });

  it('refuses a bad MAC, a bad hostname, a duplicate and a second DHCP server, naming the field', async () => {
    const refused = async (attempt: Promise<unknown>, field: string, pattern: RegExp) =>
      assert.rejects(attempt, (error: unknown) => {
        assert.ok(error instanceof LabConfigError || field === 'dhcp', String(error));
        assert.match((error as Error).message, pattern);
        if (error instanceof LabConfigError) assert.equal(error.context['field'], field);
        return true;
      });
    await refused(network.addMachine({ mac: '52:54:00:E2:00:03', hostname: 'lab-c' }), 'mac', /lower-case/);
    await refused(network.addMachine({ mac: '53:54:00:e2:00:03', hostname: 'lab-c' }), 'mac', /unicast/);
    await refused(network.addMachine({ mac: '52:54:00:e2:00:03', hostname: 'Lab_C' }), 'hostname', /DNS label/);
    await refused(network.addMachine({ mac: '52:54:00:e2:00:01', hostname: 'lab-c' }), 'mac', /already has lab-a/);
    await refused(network.startDhcp({ bootfileUrl: BOOTFILE }), 'dhcp', /already running/);
    assert.equal(network.nics.length, 2, 'nothing was half-added');
  });
});

describe('the lab network, closed', () => {
  it('leaves no interface behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-lab-net-'));
    try {
      const network = await LabNetwork.create({ workDir: dir, name: 'closed', subnet: '192.168.77.0/24' });
      try {
        await network.addMachine({ mac: '52:54:00:e2:01:01', hostname: 'lab-z' });
        await network.startDhcp({ bootfileUrl: BOOTFILE });
      } finally {
        await network.close();
      }
      const links = await hostIp(['-o', 'link', 'show']);
      assert.doesNotMatch(links, new RegExp(`: ${network.hostInterface}[:@]`));
      assert.equal(network.namespace.alive, false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a subnet that is not a private /24, naming it', async () => {
    for (const subnet of ['8.8.8.0/24', '10.213.0.0/16', '10.213.0.5/24', 'lab']) {
      await assert.rejects(LabNetwork.create({ workDir: tmpdir(), subnet }), (error: unknown) => {
        assert.ok(error instanceof LabConfigError);
        assert.match(error.message, new RegExp(`lab subnet "${subnet.replaceAll('.', '\\.')}"`));
        return true;
      });
    }
  });
});
