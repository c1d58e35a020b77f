// Benchmark of the read side (not a test): run with `npm run bench -w platforms/bare-metal`.
//
// 1. Match cost against the number of groups (100, 1,000, 10,000): Strata's
//    index against matchbox's algorithm (sort every group, scan), in-process.
// 2. HTTP load with wrk on loopback: 10,000 groups (one per MAC), 64
//    connections, /ipxe and a templated /ignition, each request for a random
//    one of the 10,000 machines. Reports requests/s and latency percentiles.
//
// Needs wrk (Debian: `apt-get install wrk`). Options: --duration=SECONDS (default 10).
import { spawn, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { GroupIndex, selectGroupBySorting } from '../src/matching/index.ts';
import type { Group } from '@strata/api';
import { silentLogger } from '../src/logging.ts';
import { startBootServer } from '../src/server/boot-server.ts';
import { DataDirectoryStore } from '../src/store/directory-store.ts';
import fc from 'fast-check';
import { aGroup, aProfile, macOf, temporaryDataDir } from '../src/testing/index.ts';

const GROUPS = 10_000;
const CONNECTIONS = 64;
const duration = Number(process.argv.find((arg) => arg.startsWith('--duration='))?.split('=')[1] ?? 10);
const print = (line = '') => process.stdout.write(`${line}\n`);

const IGNITION_TEMPLATE = `{
  "ignition": { "version": "3.3.0" },
  "passwd": { "users": [{ "name": "core", "sshAuthorizedKeys": [{{range $i, $key := .ssh_authorized_keys}}{{if $i}}, {{end}}"{{$key}}"{{end}}] }] },
  "storage": { "files": [
    { "path": "/etc/hostname", "mode": 420, "contents": { "source": "data:,{{.hostname}}" } },
    { "path": "/etc/strata/machine.env", "mode": 420, "contents": { "source": "data:,MAC%3D{{.mac}}%0AROLE%3D{{.role}}%0A" } }
  ] },
  "systemd": { "units": [{ "name": "strata-install.service", "enabled": {{if eq .role "worker"}}true{{else}}false{{end}},
    "contents": "[Service]\\nExecStart=/usr/bin/flatcar-install -d /dev/sda -i /tmp/config.ign\\n[Install]\\nWantedBy=multi-user.target\\n" }] }
}`;

function fleet(count: number): Group[] {
  const groups = Array.from({ length: count }, (_, n) =>
    aGroup({
      id: `machine-${n}`,
      profile: n % 10 === 0 ? 'controller' : 'worker',
      selector: { mac: macOf(n) },
      metadata: {
        hostname: `node-${n}.example.com`,
        role: n % 10 === 0 ? 'controller' : 'worker',
        ssh_authorized_keys: ['ssh-ed25519 AAAAbench one', 'ssh-ed25519 AAAAbench two'],
      },
    }),
  );
  // The shapes real data directories add: an installed-system group and a default.
  groups.push(
    aGroup({ id: 'installed', profile: 'worker', selector: { os: 'installed' } }),
    aGroup({ id: 'default', profile: 'worker', selector: {} }),
  );
  return groups;
}

function timePerCall(calls: number, call: (n: number) => void): number {
  const started = process.hrtime.bigint();
  for (let n = 0; n < calls; n += 1) call(n);
  return Number(process.hrtime.bigint() - started) / calls;
}

function matchCost(): void {
  print('## Match cost against the number of groups\n');
  print('| groups | Strata index (ns/match) | matchbox sort-and-scan (ns/match) |');
  print('|---:|---:|---:|');
  for (const count of [100, 1_000, 10_000]) {
    const groups = fleet(count);
    const index = GroupIndex.build(groups);
    // The same 1000 machines every run (a fixed seed), uniformly over the fleet.
    const machines = fc.sample(fc.noBias(fc.nat({ max: count - 1 })), { numRuns: 1000, seed: count });
    const requests = machines.map(
      (machine) =>
        new Map([
          ['mac', macOf(machine)],
          ['uuid', 'x'],
          ['os', 'none'],
        ]),
    );
    timePerCall(200_000, (n) => index.match(requests[n % requests.length] as Map<string, string>)); // warm up
    const indexed = timePerCall(1_000_000, (n) => index.match(requests[n % requests.length] as Map<string, string>));
    const referenceCalls = Math.max(5, Math.round(2_000_000 / count));
    const sorted = timePerCall(referenceCalls, (n) =>
      selectGroupBySorting(groups, requests[n % requests.length] as Map<string, string>),
    );
    print(`| ${count.toLocaleString('en')} | ${indexed.toFixed(0)} | ${sorted.toFixed(0)} |`);
  }
  print();
}

interface WrkResult {
  readonly requestsPerSecond: number;
  readonly latency: Record<string, string>;
  readonly errors: string;
  readonly raw: string;
}

async function wrk(url: string, path: string, directory: string, seconds: number): Promise<WrkResult> {
  const scriptPath = join(directory, `${path.replace(/\W/g, '')}.lua`);
  await writeFile(
    scriptPath,
    `-- A random one of ${GROUPS} machines per request, as iPXE would ask.
math.randomseed(42)
request = function()
  local n = math.random(0, ${GROUPS - 1})
  local mac = string.format("52-54-00-%02x-%02x-%02x", math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
  return wrk.format("GET", "${path}?uuid=&mac=" .. mac .. "&domain=&hostname=&serial=&arch=x86_64")
end
`,
  );
  const args = ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', '-s', scriptPath, url];
  const raw = await new Promise<string>((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`wrk exited with ${code}:\n${out}`))));
  });
  const latency: Record<string, string> = {};
  for (const match of raw.matchAll(/^\s+(50|75|90|99)%\s+(\S+)/gm)) latency[`p${match[1]}`] = match[2] ?? '';
  return {
    requestsPerSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(raw)?.[1] ?? 0),
    latency,
    errors: /Non-2xx or 3xx responses: (\d+)/.exec(raw)?.[1] ?? '0',
    raw,
  };
}

async function httpLoad(): Promise<void> {
  if (spawnSync('wrk', ['--version']).error !== undefined) {
    throw new Error('wrk is not installed: install it with `apt-get install wrk` (Debian) and run the benchmark again');
  }
  const groups = fleet(GROUPS);
  const data = await temporaryDataDir({
    profiles: [
      aProfile({ id: 'worker', ignition_id: 'node.ign' }),
      aProfile({ id: 'controller', ignition_id: 'node.ign' }),
    ],
    groups,
    ignition: { 'node.ign': IGNITION_TEMPLATE },
  });
  const loadStarted = performance.now();
  const store = await DataDirectoryStore.open({ dataPath: data.path, logger: silentLogger(), watch: true });
  const loadMs = performance.now() - loadStarted;
  const rescanStarted = performance.now();
  await store.refresh();
  const rescanMs = performance.now() - rescanStarted;
  const server = await startBootServer({ address: '127.0.0.1:0', store, logger: silentLogger() });
  try {
    print(
      `## HTTP load: ${GROUPS.toLocaleString('en')} groups, ${CONNECTIONS} connections, ${duration} s per endpoint, wrk -t1 on loopback\n`,
    );
    print(`Data directory: first load ${loadMs.toFixed(0)} ms, rescan of unchanged files ${rescanMs.toFixed(0)} ms.\n`);
    print('| endpoint | requests/s | p50 | p90 | p99 | non-2xx |');
    print('|---|---:|---:|---:|---:|---:|');
    for (const path of ['/ipxe', '/ignition']) {
      await wrk(server.url, path, data.path, 2); // warm-up: JIT, connection set-up
      const result = await wrk(server.url, path, data.path, duration);
      print(
        `| \`${path}\` | ${Math.round(result.requestsPerSecond).toLocaleString('en')} | ${result.latency.p50} | ${result.latency.p90} | ${result.latency.p99} | ${result.errors} |`,
      );
    }
    print();
  } finally {
    await server.close();
    await store.close();
    await data.remove();
  }
}

print(`# Boot server benchmark\n`);
print(
  `Machine: ${cpus().length} vCPU (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, load average before: ${loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')}\n`,
);
matchCost();
await httpLoad();
print(
  `Load average after: ${loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')}`,
);
