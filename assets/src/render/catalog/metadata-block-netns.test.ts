// The rendered metadata block, applied by the real nftables in real network
// namespaces: one plays a pod, one the node that forwards its traffic (and
// runs host-network components), one the metadata server on 169.254.169.254
// and fd20:ce::254. Needs root, iproute2 and nftables.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManagedProcess, runCommand, waitFor } from '@strata/host';
import {
  METADATA_BLOCK_RULES_PATH,
  METADATA_BLOCK_TABLE,
  METADATA_SERVERS,
  metadataBlockSystem,
} from './metadata-block.ts';

const IP = '/usr/sbin/ip';
const NFT = '/usr/sbin/nft';
const POD_CIDR = '10.2.0.0/16,fd00:10:2::/56';
const SERVER = METADATA_SERVERS.gcp;

/** Namespaces of this run only: several test runs may share the machine. */
const ns = { pod: `strata-pod-${process.pid}`, node: `strata-node-${process.pid}`, meta: `strata-meta-${process.pid}` };

async function sh(command: string, args: readonly string[]): Promise<string> {
  const result = await runCommand(command, args);
  assert.equal(result.code, 0, `${command} ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}
const inNs = (name: string, command: string, args: readonly string[]) =>
  sh(IP, ['netns', 'exec', name, command, ...args]);

/** A TCP connection to the metadata server's port 80 from inside `name`: "connected", "timeout" or the error code. */
async function connectFrom(name: string, address: string): Promise<string> {
  const script = `const s = require('node:net').connect({ host: process.argv[1], port: 80, timeout: 1500 });
s.on('connect', () => { console.log('connected'); s.destroy(); });
s.on('timeout', () => { console.log('timeout'); s.destroy(); });
s.on('error', (e) => console.log(e.code));`;
  return (await inNs(name, process.execPath, ['-e', script, address])).trim();
}

/** The packets each of the table's rules has dropped, in order. */
async function dropped(): Promise<number[]> {
  const listing = await inNs(ns.node, NFT, ['list', 'table', 'inet', METADATA_BLOCK_TABLE]);
  return [...listing.matchAll(/counter packets (\d+) bytes \d+ drop/g)].map((match) => Number(match[1]));
}

describe('the metadata block in real network namespaces', () => {
  let work: string;
  let server: ManagedProcess | undefined;
  assert.ok(SERVER?.ipv6 !== undefined);
  const v4 = SERVER.ipv4;
  const v6 = SERVER.ipv6;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'strata-metadata-block-'));
    for (const name of Object.values(ns)) await sh(IP, ['netns', 'add', name]);
    // pod <-> node <-> meta, as a pod's veth and the node's uplink towards the metadata server.
    await sh(IP, ['link', 'add', 'p0', 'netns', ns.pod, 'type', 'veth', 'peer', 'name', 'n0', 'netns', ns.node]);
    await sh(IP, ['link', 'add', 'n1', 'netns', ns.node, 'type', 'veth', 'peer', 'name', 'm0', 'netns', ns.meta]);
    const addresses: [string, string, string][] = [
      [ns.pod, 'p0', '10.2.1.5/24'],
      [ns.pod, 'p0', 'fd00:10:2::5/64'],
      [ns.node, 'n0', '10.2.1.1/24'],
      [ns.node, 'n0', 'fd00:10:2::1/64'],
      [ns.node, 'n1', '169.254.169.1/24'],
      [ns.node, 'n1', 'fd20:ce::1/64'],
      [ns.meta, 'm0', `${v4}/24`],
      [ns.meta, 'm0', `${v6}/64`],
    ];
    for (const [name, device, address] of addresses) {
      await inNs(name, IP, ['address', 'add', address, 'dev', device, ...(address.includes(':') ? ['nodad'] : [])]);
    }
    for (const [name, device] of [
      [ns.pod, 'p0'],
      [ns.node, 'n0'],
      [ns.node, 'n1'],
      [ns.meta, 'm0'],
      [ns.pod, 'lo'],
      [ns.node, 'lo'],
      [ns.meta, 'lo'],
    ] as const)
      await inNs(name, IP, ['link', 'set', device, 'up']);
    await inNs(ns.pod, IP, ['route', 'add', 'default', 'via', '10.2.1.1']);
    await inNs(ns.pod, IP, ['-6', 'route', 'add', 'default', 'via', 'fd00:10:2::1']);
    await inNs(ns.meta, IP, ['route', 'add', 'default', 'via', '169.254.169.1']);
    await inNs(ns.meta, IP, ['-6', 'route', 'add', 'default', 'via', 'fd20:ce::1']);
    // The node forwards pod traffic, as SYSCTLS has every node do.
    await inNs(ns.node, '/usr/sbin/sysctl', ['-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
    server = ManagedProcess.start({
      name: 'metadata-server',
      command: IP,
      args: [
        'netns',
        'exec',
        ns.meta,
        process.execPath,
        '-e',
        `const net = require('node:net');
for (const host of process.argv.slice(1)) net.createServer((s) => {
  // A client that gives up first resets the connection; the server serves on.
  s.on('error', () => undefined);
  s.end('metadata\\n');
}).listen(80, host);`,
        v4,
        v6,
      ],
      logFile: join(work, 'server.log'),
      gracePeriodMs: 1_000,
    });
    // Up once the node itself reaches it on both families.
    await waitFor(
      'the metadata server in its namespace',
      async () =>
        (await connectFrom(ns.node, v4)) === 'connected' && (await connectFrom(ns.node, v6)) === 'connected'
          ? true
          : undefined,
      { timeoutMs: 15_000, intervalMs: 200 },
    );
  });

  after(async () => {
    await server?.stop();
    for (const name of Object.values(ns)) await runCommand(IP, ['netns', 'del', name]);
    await rm(work, { recursive: true, force: true });
  });

  it('without the rules a pod reaches the metadata server, on both families', async () => {
    assert.equal(await connectFrom(ns.pod, v4), 'connected');
    assert.equal(await connectFrom(ns.pod, v6), 'connected');
  });

  it('with the rendered rules a pod is dropped on both families, counted by the rules, while the node still reaches it', async () => {
    const file = metadataBlockSystem('gcp', POD_CIDR).files.find((f) => f.path === METADATA_BLOCK_RULES_PATH);
    assert.ok(file);
    const rules = join(work, 'metadata-block.nft');
    await writeFile(rules, file.contents);
    // Twice: the unit may run again (a restart), and must leave one table with its two rules.
    await inNs(ns.node, NFT, ['-f', rules]);
    await inNs(ns.node, NFT, ['-f', rules]);
    assert.deepEqual(await dropped(), [0, 0]);

    assert.equal(await connectFrom(ns.pod, v4), 'timeout');
    assert.equal(await connectFrom(ns.pod, v6), 'timeout');
    const [droppedV4 = 0, droppedV6 = 0] = await dropped();
    assert.ok(droppedV4 > 0 && droppedV6 > 0, `the rules dropped ${droppedV4} IPv4 and ${droppedV6} IPv6 packets`);
    // Host-network components (the node's own address) are not forwarded: they still reach it.
    assert.equal(await connectFrom(ns.node, v4), 'connected');
    assert.equal(await connectFrom(ns.node, v6), 'connected');
  });
});
