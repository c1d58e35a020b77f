// Benchmark of the read side (not a test): run with `npm run bench -w platforms/boot-server`.
//
// 1. Match cost against the number of groups (100, 1,000, 10,000): Strata's
//    index against matchbox's algorithm (sort every group, scan), in-process.
// 2. HTTP load with wrk on loopback at 100, 1,000 and 10,000 groups (one per
//    MAC), 64 connections, each request for a random one of the machines:
//    `/ipxe` and the Butane-templated `/ignition`, from Strata's boot server,
//    from matchbox v0.11.0 (built from Go modules, as the differential test
//    runs it) on the same data directory, and from a bare Node.js HTTP server
//    that answers Strata's iPXE script as a constant: the ceiling for one Node
//    process on this machine; and from a bare server that answers each machine's
//    own answer by one Map look-up: the least any per-machine answer costs.
//    Ratios: Strata to matchbox, Strata to each bare server.
//    Strata runs as `strata boot-server` runs it, recording every 200 answer
//    for the write API's list of served machines.
// 3. Butane-templated `/ignition`, cold (every answer a new translation, one
//    Butane process each) and cached (every machine's translation in the cache).
//
// Needs wrk (Debian: `apt-get install wrk`). Options: --duration=SECONDS per
// run (default 10), --sizes=100,1000 (default 100,1000,10000), --rounds=N
// (default 3: the bare server's and Strata's runs alternate N times and the
// median counts, so that other work on a shared machine hits both alike),
// --profile (samples Strata's CPU during /ipxe at the largest size and prints
// where the time goes).
//
// Both Node servers run in this process, which does nothing else while wrk
// runs, so this process's CPU time over a run divided by the requests answered
// is each server's CPU cost per request: the figure that decides the rate on
// an idle machine, where one Node thread is the bottleneck.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { Session } from 'node:inspector/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { resolveBinary } from '@strata/binaries';
import type { Group } from '@strata/api';
import { ButaneTranslator } from '../src/answers/butane.ts';
import { answerBootRequest } from '../src/server/boot-answers.ts';
import { SnapshotView } from '../src/server/snapshot-view.ts';
import { startMatchbox } from '../src/differential/matchbox-process.ts';
import { GroupIndex, selectGroupBySorting } from '../src/matching/index.ts';
import { silentLogger } from '../src/logging.ts';
import { startBootServer } from '../src/server/boot-server.ts';
import { ServedMachines } from '../src/server/served-machines.ts';
import { DataDirectoryStore } from '../src/store/directory-store.ts';
import fc from 'fast-check';
import { aGroup, aProfile, macOf, temporaryDataDir, temporaryDirectory } from '../src/testing/index.ts';

const CONNECTIONS = 64;
const option = (name: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
const duration = Number(option('duration') ?? 10);
const sizes = (option('sizes') ?? '100,1000,10000').split(',').map(Number);
const rounds = Number(option('rounds') ?? 3);
const profiling = process.argv.includes('--profile');
const print = (line = '') => process.stdout.write(`${line}\n`);
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

// A Go template of a Butane config, as matchbox data directories hold them: matchbox renders it and translates the
// result to Ignition on every request; Strata renders it and translates through its cache.
const BUTANE_TEMPLATE = `variant: flatcar
version: 1.1.0
passwd:
  users:
    - name: core
      ssh_authorized_keys:
{{range .ssh_authorized_keys}}        - "{{.}}"
{{end}}storage:
  files:
    - path: /etc/hostname
      mode: 0644
      contents:
        inline: {{.hostname}}
    - path: /etc/strata/machine.env
      mode: 0644
      contents:
        inline: |
          MAC={{.mac}}
          ROLE={{.role}}
systemd:
  units:
    - name: strata-install.service
      enabled: {{if eq .role "worker"}}true{{else}}false{{end}}
      contents: |
        [Service]
        ExecStart=/usr/bin/flatcar-install -d /dev/sda -i /tmp/config.ign
        [Install]
        WantedBy=multi-user.target
`;

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
  for (const count of sizes) {
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
  readonly requests: number;
  readonly latency: Record<string, string>;
  readonly non2xx: number;
  readonly timeouts: number;
}

const machineQuery = (n: number) => `?uuid=&mac=${macOf(n).replaceAll(':', '-')}&domain=&hostname=&serial=&arch=x86_64`;

async function wrk(
  url: string,
  path: string,
  machines: number,
  directory: string,
  seconds: number,
): Promise<WrkResult> {
  const scriptPath = join(directory, `${path.replace(/\W/g, '')}-${machines}.lua`);
  await writeFile(
    scriptPath,
    `-- A random one of ${machines} machines per request, as iPXE would ask.
math.randomseed(42)
request = function()
  local n = math.random(0, ${machines - 1})
  local mac = string.format("52-54-00-%02x-%02x-%02x", math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
  return wrk.format("GET", "${path}?uuid=&mac=" .. mac .. "&domain=&hostname=&serial=&arch=x86_64")
end
`,
  );
  // A long timeout: matchbox's answers at 10,000 groups take seconds, and a timed-out request would count for nothing.
  const args = ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--timeout', '30s', '--latency', '-s', scriptPath, url];
  const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let raw = '';
  child.stdout.on('data', (chunk: Buffer) => (raw += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`wrk exited with ${code}:\n${raw}`);
  const latency: Record<string, string> = {};
  for (const match of raw.matchAll(/^\s+(50|75|90|99)%\s+(\S+)/gm)) latency[`p${match[1]}`] = match[2] ?? '';
  return {
    requestsPerSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(raw)?.[1] ?? 0),
    requests: Number(/(\d+) requests in/.exec(raw)?.[1] ?? 0),
    latency,
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(raw)?.[1] ?? 0),
    timeouts: Number(/timeout (\d+)/.exec(raw)?.[1] ?? 0),
  };
}

interface Measured extends WrkResult {
  /** This process's CPU time per answered request, µs: meaningful for the servers in this process only. */
  readonly cpuMicros: number;
}

/** A warm-up run (JIT, connections), then the timed one. */
async function measure(url: string, path: string, machines: number, directory: string): Promise<Measured> {
  await wrk(url, path, machines, directory, Math.min(2, duration));
  const before = process.cpuUsage();
  const result = await wrk(url, path, machines, directory, duration);
  const used = process.cpuUsage(before);
  return { ...result, cpuMicros: (used.user + used.system) / Math.max(1, result.requests) };
}

/** The run of median rate. */
function median(runs: readonly Measured[]): Measured {
  const sorted = [...runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  const middle = sorted[Math.floor(sorted.length / 2)];
  if (middle === undefined) throw new Error('no runs');
  return middle;
}

/** `server` listening on a free loopback port, and its URL. */
async function listening(server: Server): Promise<{ url: string; server: Server }> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, server };
}

/** Answers every request with `body` and the headers Strata sends with it (type and length). */
async function bareServer(body: string, contentType: string): Promise<{ url: string; server: Server }> {
  const length = Buffer.byteLength(body);
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': contentType, 'Content-Length': length });
    response.end(body);
  });
  return listening(server);
}

/**
 * A second kind of bare server: each machine's own answer (as Strata gave it), found by one Map look-up of the raw
 * query and written with shared headers. The least a server that answers per machine can do, so the gap between it
 * and the constant-answer server is what any per-machine answer costs at this fleet size (memory touched per request).
 */
async function bareLookupServer(
  answers: ReadonlyMap<string, string>,
  contentType: string,
): Promise<{ url: string; server: Server }> {
  const headers = new Map<number, Record<string, string | number>>();
  const server = createServer((request, response) => {
    const target = request.url ?? '';
    const body = answers.get(target.slice(target.indexOf('?') + 1));
    if (body === undefined) {
      response.writeHead(404).end();
      return;
    }
    const length = body.length;
    let shared = headers.get(length);
    if (shared === undefined) {
      shared = { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) };
      headers.set(length, shared);
    }
    response.writeHead(200, shared);
    response.end(body);
  });
  return listening(server);
}

/** Every machine's answer to `path` from `url`, by raw query, `concurrency` at a time. */
async function answersOf(url: string, path: string, size: number, concurrency: number): Promise<Map<string, string>> {
  const answers = new Map<string, string>();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < size) {
        const query = machineQuery(next);
        next += 1;
        const response = await fetch(`${url}${path}${query}`);
        if (!response.ok) throw new Error(`${path}${query} answered ${response.status}`);
        answers.set(query.slice(1), await response.text());
      }
    }),
  );
  return answers;
}

/** Asks for each machine once, `concurrency` at a time; the rate and latencies of those answers. */
async function everyMachineOnce(url: string, machines: readonly number[], concurrency: number) {
  const latencies: number[] = [];
  let failed = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < machines.length) {
        const machine = machines[next] ?? 0;
        next += 1;
        const asked = performance.now();
        const response = await fetch(`${url}/ignition${machineQuery(machine)}`);
        await response.arrayBuffer();
        if (!response.ok) failed += 1;
        latencies.push(performance.now() - asked);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (fraction: number) => (latencies[Math.floor(fraction * (latencies.length - 1))] ?? 0).toFixed(1);
  return { rate: machines.length / seconds, p50: at(0.5), p99: at(0.99), failed };
}

/**
 * Strata's own work per answer, without HTTP, for random machines: the snapshot's answer cache, and on a miss the
 * labels from the query, the match, the script or the rendered template and its cached translation. Best of five
 * passes (the first fills the answer cache, as the timed HTTP runs found it filled).
 */
function ownWork(view: SnapshotView, path: string, size: number, butane: ButaneTranslator): number {
  const queries = fc
    .sample(fc.noBias(fc.nat({ max: size - 1 })), { numRuns: 1000, seed: size })
    .map((machine) => machineQuery(machine).slice(1));
  const targets = queries.map((query) => `${path}?${query}`);
  const logger = silentLogger();
  const calls = path === '/ipxe' ? 200_000 : 20_000;
  let best = Number.POSITIVE_INFINITY;
  for (let pass = 0; pass < 5; pass += 1) {
    best = Math.min(
      best,
      timePerCall(calls, (n) => {
        // As the server does: the snapshot's answer cache first, the answer computed (and kept) when it misses.
        const query = queries[n % queries.length] ?? '';
        const target = targets[n % targets.length] ?? '';
        if (view.answers.get(target) !== undefined) return;
        const answer = answerBootRequest(view, path, query, logger, butane);
        if (answer instanceof Promise) throw new Error(`${path}: a translation was not cached`);
        view.answers.remember(target, answer);
      }),
    );
  }
  return best / 1000;
}

interface ProfileSummary {
  readonly lines: string[];
}

/** Self time by function and by kind of code, from a CPU profile of this process. */
function summarizeProfile(profile: {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples?: number[];
}): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  const kinds = new Map<string, number>();
  const samples = profile.samples ?? [];
  for (const id of samples) {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) continue;
    const where =
      frame.url === ''
        ? ''
        : ` ${frame.url.replace(/^.*\/(platforms|foundations|assets|node_modules)\//, '$1/')}:${frame.lineNumber + 1}`;
    const name = `${frame.functionName || '(anonymous)'}${where}`;
    self.set(name, (self.get(name) ?? 0) + 1);
    const kind = frame.url.includes('/platforms/boot-server/')
      ? "Strata's boot server"
      : frame.url.includes('/node_modules/')
        ? 'libraries'
        : frame.url.startsWith('node:')
          ? 'Node.js (http, net, streams)'
          : frame.functionName === '(garbage collector)'
            ? 'garbage collector'
            : frame.functionName === '(idle)'
              ? 'idle'
              : frame.url === ''
                ? 'native (V8, libuv, syscalls)'
                : 'other';
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  const share = (count: number) => `${((100 * count) / Math.max(1, samples.length)).toFixed(1)} %`;
  const lines = ['| kind of code | share of samples |', '|---|---:|'];
  for (const [kind, count] of [...kinds].sort((a, b) => b[1] - a[1])) lines.push(`| ${kind} | ${share(count)} |`);
  lines.push('', '| function (self time) | share |', '|---|---:|');
  for (const [name, count] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 20))
    lines.push(`| \`${name.replaceAll('|', '\\|')}\` | ${share(count)} |`);
  return { lines };
}

interface SizeResult {
  readonly size: number;
  readonly rows: string[];
  readonly cold: string;
  readonly profile?: ProfileSummary;
}

async function atSize(size: number, matchboxPath: string, butanePath: string): Promise<SizeResult> {
  const loadBefore = load();
  const data = await temporaryDataDir({
    profiles: [
      aProfile({ id: 'worker', ignition_id: 'node.yaml' }),
      aProfile({ id: 'controller', ignition_id: 'node.yaml' }),
    ],
    groups: fleet(size),
    ignition: { 'node.yaml': BUTANE_TEMPLATE },
  });
  // Room for every machine's translation: the cached rate is that of a fleet whose machines have all been answered once.
  const butane = new ButaneTranslator({ butanePath, cacheEntries: size });
  const store = await DataDirectoryStore.open({ dataPath: data.path, logger: silentLogger(), watch: true });
  // As `strata boot-server` runs it: every 200 answer recorded for the write API's list of served machines.
  const served = new ServedMachines();
  const strata = await startBootServer({ address: '127.0.0.1:0', store, butane, logger: silentLogger(), served });
  const matchbox = await startMatchbox(matchboxPath, data.path);
  // wrk's scripts live outside the data directory, whose watcher would rescan every file after each one is written.
  const scripts = await temporaryDirectory('strata-bench-wrk-');
  const ipxe = await fetch(`${strata.url}/ipxe${machineQuery(0)}`);
  const bare = await bareServer(await ipxe.text(), ipxe.headers.get('content-type') ?? 'text/plain');
  const closers: (() => void)[] = [];
  try {
    // Cold: distinct machines, so that every answer starts a Butane process.
    const coldMachines = Array.from({ length: Math.min(size, 300) }, (_, n) => n);
    const cold = await everyMachineOnce(strata.url, coldMachines, 8);
    // Every other machine once, so that the timed runs below find every translation cached.
    await everyMachineOnce(
      strata.url,
      Array.from({ length: size - coldMachines.length }, (_, n) => n + coldMachines.length),
      8,
    );
    // A second ceiling for /ignition: the bare server with an Ignition answer as its constant, since a body four
    // times the iPXE script's costs more to write whoever writes it.
    const ignition = await fetch(`${strata.url}/ignition${machineQuery(0)}`);
    const bareIgnition = await bareServer(
      await ignition.text(),
      ignition.headers.get('content-type') ?? 'application/json',
    );
    closers.push(() => bareIgnition.server.close());
    const lookup = {
      '/ipxe': await bareLookupServer(
        await answersOf(strata.url, '/ipxe', size, 8),
        ipxe.headers.get('content-type') ?? 'text/plain',
      ),
      '/ignition': await bareLookupServer(
        await answersOf(strata.url, '/ignition', size, 8),
        ignition.headers.get('content-type') ?? 'application/json',
      ),
    };
    closers.push(() => lookup['/ipxe'].server.close());
    closers.push(() => lookup['/ignition'].server.close());
    const runs = {
      bare: [] as Measured[],
      bareIgnition: [] as Measured[],
      lookupIpxe: [] as Measured[],
      lookupIgnition: [] as Measured[],
      '/ipxe': [] as Measured[],
      '/ignition': [] as Measured[],
    };
    for (let round = 0; round < rounds; round += 1) {
      runs.bare.push(await measure(bare.url, '/ipxe', size, scripts.path));
      runs.lookupIpxe.push(await measure(lookup['/ipxe'].url, '/ipxe', size, scripts.path));
      runs['/ipxe'].push(await measure(strata.url, '/ipxe', size, scripts.path));
      runs.bareIgnition.push(await measure(bareIgnition.url, '/ignition', size, scripts.path));
      runs.lookupIgnition.push(await measure(lookup['/ignition'].url, '/ignition', size, scripts.path));
      runs['/ignition'].push(await measure(strata.url, '/ignition', size, scripts.path));
    }
    let profile: ProfileSummary | undefined;
    if (profiling && size === sizes.at(-1)) {
      const session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 200 });
      await session.post('Profiler.start');
      await wrk(strata.url, '/ipxe', size, scripts.path, duration);
      const { profile: taken } = await session.post('Profiler.stop');
      profile = summarizeProfile(taken);
      session.disconnect();
    }
    const bareResult = median(runs.bare);
    const sameBody = { '/ipxe': bareResult, '/ignition': median(runs.bareIgnition) };
    const perMachine = { '/ipxe': median(runs.lookupIpxe), '/ignition': median(runs.lookupIgnition) };
    const view = new SnapshotView(store.snapshot());
    const own = {
      '/ipxe': ownWork(view, '/ipxe', size, butane),
      '/ignition': ownWork(view, '/ignition', size, butane),
    };
    const rows: string[] = [];
    for (const path of ['/ipxe', '/ignition'] as const) {
      const ours = median(runs[path]);
      const theirs = await measure(matchbox.url, path, size, scripts.path);
      const ratio = (a: number, b: number) => (b === 0 ? '∞' : `${(a / b).toFixed(a / b >= 10 ? 0 : 2)}×`);
      const ceiling = sameBody[path];
      const percent = (a: number, b: number) => `${((100 * a) / b).toFixed(0)} %`;
      const matchboxRate =
        theirs.requests === 0
          ? `< ${(1 / duration).toFixed(1)} (0 in ${duration} s)`
          : `${theirs.requestsPerSecond.toLocaleString('en', { maximumFractionDigits: 1 })} (${theirs.requests} in ${duration} s)`;
      rows.push(
        [
          size.toLocaleString('en'),
          `\`${path}\``,
          Math.round(ours.requestsPerSecond).toLocaleString('en'),
          `${ours.latency.p50} / ${ours.latency.p99}`,
          String(ours.non2xx),
          matchboxRate,
          theirs.requests === 0 ? `none within ${duration} s` : `${theirs.latency.p50} / ${theirs.latency.p99}`,
          ratio(ours.requestsPerSecond, theirs.requestsPerSecond),
          Math.round(ceiling.requestsPerSecond).toLocaleString('en'),
          `**${percent(ours.requestsPerSecond, ceiling.requestsPerSecond)}**`,
          `${ours.cpuMicros.toFixed(1)} / ${ceiling.cpuMicros.toFixed(1)} µs (${percent(ceiling.cpuMicros, ours.cpuMicros)})`,
          percent(ours.requestsPerSecond, bareResult.requestsPerSecond),
          Math.round(perMachine[path].requestsPerSecond).toLocaleString('en'),
          `${percent(perMachine[path].requestsPerSecond, ceiling.requestsPerSecond)} / ${percent(ours.requestsPerSecond, perMachine[path].requestsPerSecond)}`,
          `${perMachine[path].cpuMicros.toFixed(1)} µs`,
          `${own[path].toFixed(2)} µs`,
        ].reduce((line, cell) => `${line} ${cell} |`, '|'),
      );
    }
    return {
      size,
      rows,
      cold: `| ${size.toLocaleString('en')} | ${coldMachines.length} | ${cold.rate.toFixed(0)} | ${cold.p50} ms | ${cold.p99} ms | ${cold.failed} | load ${loadBefore} → ${load()} |`,
      ...(profile === undefined ? {} : { profile }),
    };
  } finally {
    bare.server.close();
    for (const close of closers) close();
    await matchbox.stop();
    await strata.close();
    await store.close();
    await data.remove();
    await scripts.remove();
  }
}

async function httpLoad(): Promise<void> {
  if (spawnSync('wrk', ['--version']).error !== undefined) {
    throw new Error('wrk is not installed: install it with `apt-get install wrk` (Debian) and run the benchmark again');
  }
  const [matchboxPath, butanePath] = await Promise.all([resolveBinary('matchbox'), resolveBinary('butane')]);
  const results: SizeResult[] = [];
  for (const size of sizes) results.push(await atSize(size, matchboxPath, butanePath));
  print(
    `## HTTP load: ${CONNECTIONS} connections, ${duration} s per run after a warm-up, wrk -t1 on loopback; Strata and the bare server: median of ${rounds} alternating runs\n`,
  );
  // One header per column, the same meaning in every row: "bare" is the bare server answering this row's answer (the
  // iPXE script for /ipxe, the Ignition config for /ignition) as its constant; the last ratio is against the bare
  // server answering the iPXE script, the ceiling, for both rows.
  print(
    "| groups | endpoint | Strata req/s | Strata p50 / p99 | non-2xx | matchbox req/s | matchbox p50 / p99 | Strata ÷ matchbox | bare req/s, same answer | Strata ÷ bare | CPU per request, Strata / bare (bare ÷ Strata) | Strata ÷ bare iPXE script | bare req/s, per-machine answers by one look-up | look-up ÷ bare, Strata ÷ look-up | CPU per request, look-up | Strata's own work per answer, no HTTP |",
  );
  print('|---:|---|---:|---|---:|---:|---|---:|---:|---:|---|---:|---:|---:|---:|---:|');
  for (const result of results) for (const row of result.rows) print(row);
  print('\n## Butane-templated `/ignition`, cold: distinct machines, 8 at a time, each answer one Butane process\n');
  print('| groups | machines asked | answers/s | p50 | p99 | failed | |');
  print('|---:|---:|---:|---:|---:|---:|---|');
  for (const result of results) print(result.cold);
  const profile = results.at(-1)?.profile;
  if (profile !== undefined) {
    print(`\n## Where Strata's time goes: CPU profile of \`/ipxe\` at ${sizes.at(-1)?.toLocaleString('en')} groups\n`);
    for (const line of profile.lines) print(line);
  }
  print();
}

print(`# Boot server benchmark\n`);
print(
  `Machine: ${cpus().length} vCPU (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, load average before: ${load()}\n`,
);
matchCost();
await httpLoad();
print(`Load average after: ${load()}`);
