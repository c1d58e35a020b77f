// `npm test`: everything, in order, with one timing line per phase and one
// closing line for all tests. A phase that fails does not stop the others, so
// one run shows every problem; the exit code is non-zero if any phase failed.
import { spawn, spawnSync } from 'node:child_process';
import { glob, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  defaultCacheRoot,
  ETCD_VERSION,
  ETCD_VERSIONS,
  NODE_IMAGE_NAMES,
  resolveAllBinaries,
  resolveBinary,
  resolveEtcd,
  resolvePause,
} from '@strata/binaries';
import { settleBounded } from '@strata/host';
import { ensureNodeImage } from '@strata/node-image';
import { assignLanes, mergeFileTimes, parseFileTimes } from './lib/lanes.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
/** ESLint's heap: its peak was over 4 GiB on 2026-12-05; the CI machine has 24. */
const ESLINT_HEAP_MIB = 10_240;
const log = (line: string) => process.stdout.write(`${line}\n`);

interface Phase {
  readonly name: string;
  readonly seconds: number;
  readonly ok: boolean;
}
const phases: Phase[] = [];

async function phase(name: string, work: () => Promise<boolean>): Promise<boolean> {
  log(`\n=== ${name}`);
  const started = performance.now();
  let ok: boolean;
  try {
    ok = await work();
  } catch (error) {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    ok = false;
  }
  const seconds = (performance.now() - started) / 1000;
  phases.push({ name, seconds, ok });
  log(`[timing] ${name}: ${seconds.toFixed(1)}s ${ok ? 'ok' : 'FAILED'}`);
  return ok;
}

/** Runs a command with its output kept, for phases that run side by side and print one after another. */
function runQuietly(command: string, args: readonly string[]): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ok: code === 0, output: Buffer.concat(chunks).toString('utf8') }));
  });
}

/**
 * The static checks read the tree and write nothing, so they run side by side; each phase still prints its
 * own output and its own time (which then overlap).
 */
async function staticChecks(checks: readonly { name: string; command: string; args: readonly string[] }[]) {
  const started = performance.now();
  const results = await Promise.all(
    checks.map(async (check) => {
      const result = await runQuietly(check.command, check.args).catch((error: unknown) => ({
        ok: false,
        output: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }));
      return { ...check, ...result, seconds: (performance.now() - started) / 1000 };
    }),
  );
  for (const { name, ok, output, seconds } of results) {
    log(`\n=== ${name}`);
    if (output.length > 0) process.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
    phases.push({ name, seconds, ok });
    log(`[timing] ${name}: ${seconds.toFixed(1)}s ${ok ? 'ok' : 'FAILED'}`);
  }
  log(`[timing] static checks side by side: ${((performance.now() - started) / 1000).toFixed(1)}s`);
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', env });
    child.on('error', reject);
    child.on('close', (code) => resolve(code === 0));
  });
}

async function testFiles(): Promise<{ unit: string[]; integration: string[] }> {
  const files: string[] = [];
  const patterns = ['**/*.test.ts', '**/*.test.tsx'];
  for await (const file of glob(patterns, {
    cwd: root,
    exclude: (name) => name === 'node_modules' || name === '.git',
  })) {
    files.push(file);
  }
  files.sort();
  // The machine lab's cluster scenarios and the node image's A/B update (`*.lab.test.ts`) run through `npm run lab
  // -w e2e` and `npm run lab -w @strata/node-image`, not here: two guests under TCG pulling and starting every add-on
  // take 11 to 12 minutes on two cores, the A/B update's boots and writes over 10 minutes beside CI's other lane, on
  // the lane that already decides CI's time (e2e/README.md, foundations/node-image/README.md).
  const tests = files.filter((file) => !/\.lab\.test\.tsx?$/.test(file));
  return {
    unit: tests.filter((file) => !/\.integration\.test\.tsx?$/.test(file)),
    integration: tests.filter((file) => /\.integration\.test\.tsx?$/.test(file)),
  };
}

interface Totals {
  passed: number;
  failed: number;
  skipped: number;
  todo: number;
}
const totals: Totals = { passed: 0, failed: 0, skipped: 0, todo: 0 };

/** The counts count-reporter.ts wrote, checked field by field (the root package has no zod to parse them with). */
function parseTotals(text: string, path: string): Totals {
  const value: unknown = JSON.parse(text);
  const count = (key: keyof Totals): number => {
    const field = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
    if (typeof field !== 'number' || !Number.isInteger(field) || field < 0)
      throw new Error(`${path}: ${key} is not a count: ${text}`);
    return field;
  };
  return { passed: count('passed'), failed: count('failed'), skipped: count('skipped'), todo: count('todo') };
}

interface NodeTestOptions {
  /** A command line that runs the test process, e.g. inside a network namespace; the node command follows it. */
  readonly wrapper?: readonly string[];
  /** A lane's name: its output is kept and printed whole at the end, with only top-level results shown live. */
  readonly lane?: string;
  /** Where the file-times reporter writes each file's time. */
  readonly fileTimes?: string;
}

/** The output of lanes that ran side by side, printed after all of them ended. */
const laneOutputs: { lane: string; output: string }[] = [];

async function nodeTest(
  files: readonly string[],
  extraArgs: readonly string[],
  options: NodeTestOptions = {},
): Promise<boolean> {
  if (files.length === 0) return true;
  const scratch = await mkdtemp(join(tmpdir(), 'strata-test-counts-'));
  const counts = join(scratch, 'counts.json');
  try {
    const args = [
      // `.tsx` (the Ink screens) needs this hook; `.ts` stays with Node's type stripping (docs/adr/0011-tsx.md).
      '--import=@strata/tsx/register',
      '--test',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      `--test-reporter=${join(root, 'scripts/lib/count-reporter.ts')}`,
      `--test-reporter-destination=${counts}`,
      ...(options.fileTimes === undefined
        ? []
        : [
            `--test-reporter=${join(root, 'scripts/lib/file-times-reporter.ts')}`,
            `--test-reporter-destination=${options.fileTimes}`,
          ]),
      ...extraArgs,
      ...files,
    ];
    const [command, ...prefix] = [...(options.wrapper ?? []), process.execPath];
    const ok =
      options.lane === undefined
        ? await run(command ?? process.execPath, [...prefix, ...args])
        : await runLane(options.lane, command ?? process.execPath, [...prefix, ...args]);
    const counted = parseTotals(await readFile(counts, 'utf8'), counts);
    totals.passed += counted.passed;
    totals.failed += counted.failed;
    totals.skipped += counted.skipped;
    totals.todo += counted.todo;
    // A file that crashes before its tests run counts as a failure too.
    if (!ok && counted.failed === 0) totals.failed += 1;
    return ok;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Runs one lane: its whole output kept for later, its top-level results (a line per suite) shown as they come. */
function runLane(lane: string, command: string, args: readonly string[]): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (/^[✔✖] /.test(line)) log(`[${lane}] ${line}`);
    });
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      laneOutputs.push({ lane, output: Buffer.concat(chunks).toString('utf8') });
      resolve(code === 0);
    });
  });
}

/**
 * The command line that runs a lane's test process in a fresh network namespace with its loopback up, and a default
 * route into a veth pair whose both ends stay in the namespace: a simulated bare-metal controller's kube-apiserver
 * (bound to 0.0.0.0, as on a real machine) needs a default route to pick the address it advertises, and this one
 * leads nowhere. 192.0.2.0/24 is TEST-NET-1, never routed.
 */
const OWN_NETWORK_NAMESPACE = [
  'unshare',
  '--net',
  '--',
  '/bin/sh',
  '-c',
  [
    'ip link set lo up',
    'ip link add strata-lane type veth peer name strata-lane-end',
    'ip addr add 192.0.2.1/24 dev strata-lane',
    'ip link set strata-lane up',
    'ip link set strata-lane-end up',
    'ip route add default via 192.0.2.254 dev strata-lane',
    'exec "$0" "$@"',
  ].join(' && '),
];

/**
 * How many lanes the integration files get: one unless STRATA_TEST_LANES asks for more. Each extra lane needs a
 * network namespace of its own (local clusters bind fixed loopback addresses), which takes root and unshare. Not the
 * default: on two cores, two lanes of local clusters push the longest tests (SIGKILL chains, key rotations) past
 * their time limits (docs/adr/0040-integration-lanes-in-network-namespaces.md).
 */
function integrationLaneCount(): number {
  const asked = process.env['STRATA_TEST_LANES'];
  if (asked === undefined || asked === '') return 1;
  const count = Number(asked);
  if (!Number.isInteger(count) || count < 1 || count > 8)
    throw new Error(`STRATA_TEST_LANES=${asked}: give a whole number of lanes from 1 to 8`);
  if (count === 1) return 1;
  const probe =
    process.getuid?.() === 0
      ? spawnSync(OWN_NETWORK_NAMESPACE[0] ?? 'unshare', [...OWN_NETWORK_NAMESPACE.slice(1), 'true'], {
          encoding: 'utf8',
        })
      : undefined;
  if (probe?.status !== 0)
    throw new Error(
      `STRATA_TEST_LANES=${asked}: lanes need network namespaces with a veth pair, which take root, unshare and ip ` +
        `(iproute2)${probe === undefined ? '' : `: ${probe.stderr.trim()}`}; ` +
        'run as root, or unset STRATA_TEST_LANES',
    );
  return count;
}

/**
 * The integration files that boot guests under QEMU (the node image, the machine lab, the PXE tests): one block in one
 * lane, so that two TCG guests never share the two cores (scripts/lib/lanes.ts).
 */
const MACHINE_TEST_PATHS = [
  /^foundations\/node-image\//,
  /^e2e\/src\/(lab|pxe)\//,
  /^platforms\/lab\//,
  /^installer\/src\/commands\/lab\.integration\.test\.ts$/,
];
const bootsMachines = (file: string): boolean => MACHINE_TEST_PATHS.some((path) => path.test(file));

async function integrationTests(files: readonly string[]): Promise<boolean> {
  const globalSetup = `--test-global-setup=${join(root, 'harness/src/global-setup.ts')}`;
  const laneCount = integrationLaneCount();
  const timesPath = join(defaultCacheRoot(process.env), 'test-times.json');
  const earlier = parseFileTimes(await readFile(timesPath, 'utf8').catch(() => '{}'));
  const lanes = assignLanes(files, earlier, laneCount, bootsMachines);
  const scratch = await mkdtemp(join(tmpdir(), 'strata-test-times-'));
  try {
    if (lanes.length > 1)
      log(
        `${lanes.length} lanes, each in its own network namespace: ${lanes.map((lane) => lane.length).join(' + ')} files`,
      );
    const results = await Promise.all(
      lanes.map((lane, index) =>
        // One file at a time in a lane: a lane's local clusters share its fixed loopback addresses (127.0.0.2-4),
        // and its files share one control plane.
        // A local cluster's test may wait out kube-apiserver's one-minute poll several times (key rotation).
        nodeTest(lane, ['--test-concurrency=1', '--test-timeout=600000', globalSetup], {
          fileTimes: join(scratch, `lane-${index + 1}.json`),
          ...(lanes.length > 1 ? { lane: `lane ${index + 1}`, wrapper: OWN_NETWORK_NAMESPACE } : {}),
        }),
      ),
    );
    for (const { lane, output } of laneOutputs.splice(0)) {
      log(`\n--- ${lane}, whole output`);
      process.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
    }
    const now: Record<string, number> = {};
    for (let index = 0; index < lanes.length; index++) {
      const text = await readFile(join(scratch, `lane-${index + 1}.json`), 'utf8').catch(() => '{}');
      for (const [file, time] of Object.entries(parseFileTimes(text))) now[relative(root, file)] = time;
    }
    await mkdir(dirname(timesPath), { recursive: true });
    await writeFile(timesPath, `${JSON.stringify(mergeFileTimes(earlier, now, files), null, 1)}\n`);
    return results.every(Boolean);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

log(`Strata tests on Node ${process.version} (${process.execPath})`);
const { unit, integration } = await testFiles();

/**
 * The binaries phase's builds in two chains that run side by side, each a list of builds one after another. A Go build
 * keeps both cores busy while it compiles, but not while it loads the module graph, downloads modules or links (one
 * core), nor does mmdebstrap while it downloads; a second build fills those gaps. The chains hold about the same cold
 * build time (measured on the CI machine kind), each longest first, and the node image comes after its own binaries.
 */
/** One build: the paths it resolved, by the name printed for each. */
type Build = () => Promise<Record<string, string>>;
const resolved =
  (name: Parameters<typeof resolveBinary>[0]): Build =>
  async () => ({ [name]: await resolveBinary(name) });
/** Each etcd release with its etcdutl, which the local platform's etcd images offer (restores seed members with it). */
const etcdRelease =
  (version: string): Build =>
  async () => {
    const release = await resolveEtcd(version);
    return {
      ...(version === ETCD_VERSION ? {} : { [`etcd ${version}`]: release.etcd }),
      [`etcdutl ${version}`]: release.etcdutl,
    };
  };
const BUILD_CHAINS: readonly (readonly Build[])[] = [
  [
    // Pulumi is no control-plane component, but the bare-metal platform's tests run its engine: build it once, here.
    resolved('pulumi'),
    async () => ({ ...(await resolveAllBinaries()) }),
    ...ETCD_VERSIONS.map(etcdRelease),
    // MinIO: the S3-compatible store of tests.
    resolved('minio'),
    // Butane (the boot server's templates), matchbox (the boot server's differential test), and bootcmd.
    resolved('butane'),
    resolved('matchbox'),
    resolved('bootcmd'),
    // CoreDNS, for the machine lab's cluster DNS image (several minutes cold: hundreds of packages).
    resolved('coredns'),
  ],
  [
    // OpenTofu and terraform-provider-matchbox: the clients that prove the boot server's gRPC API.
    resolved('tofu'),
    resolved('terraform-provider-matchbox'),
    // The node image's kubelet, container runtime and CNI plugins, which its runtime test runs for real.
    ...NODE_IMAGE_NAMES.map(resolved),
    // The node image built from them (mmdebstrap: about two minutes cold, then a cache hit), here because its boot
    // test runs in an integration lane, whose network namespace has no route to the Debian mirror.
    async () => ({ 'node image': (await ensureNodeImage()).dir }),
    // The local OCI registry and the pod images' binaries, which the pod-image test uses in a lane with no module proxy.
    resolved('registry'),
    async () => ({ pause: await resolvePause() }),
    resolved('kube-proxy'),
    // The machine lab's pod network: flanneld and the flannel CNI plugin, for their images.
    resolved('flanneld'),
    resolved('flannel-cni-plugin'),
    // The machine lab's workload (this repository's own Go program, seconds to build).
    resolved('test-server'),
  ],
];

await phase('binaries (control plane, tools, node image, pod images)', async () => {
  // A cold build here, never inside a test's time limit.
  const chains = await settleBounded(BUILD_CHAINS, BUILD_CHAINS.length, async (chain) => {
    const paths: Record<string, string> = {};
    for (const build of chain) Object.assign(paths, await build());
    return paths;
  });
  let ok = true;
  for (const chain of chains) {
    if (chain.status === 'rejected') {
      const error: unknown = chain.reason;
      log(error instanceof Error ? (error.stack ?? error.message) : String(error));
      ok = false;
      continue;
    }
    for (const [name, path] of Object.entries(chain.value))
      log(`  ${name}: ${relative(root, path).startsWith('..') ? path : relative(root, path)}`);
  }
  return ok;
});
await staticChecks([
  { name: 'typecheck', command: process.execPath, args: [join(root, 'scripts/typecheck.ts')] },
  // Typed linting holds a TypeScript program per tsconfig (the root's, the console's, its tests' and its bench's,
  // each most of the workspace): more than Node's default heap of about 4 GiB, which ran out in a CI run.
  {
    name: 'lint',
    command: process.execPath,
    args: [
      `--max-old-space-size=${ESLINT_HEAP_MIB}`,
      join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'),
      '--max-warnings=0',
      '.',
    ],
  },
  {
    name: 'format (prettier --check; `npm run format` fixes)',
    command: bin('prettier'),
    args: ['--check', '--log-level=warn', '.'],
  },
]);
// Two files at a time: most unit files wait on child processes (the CLI, Pulumi's engine) more than they compute.
await phase(`unit tests (${unit.length} files)`, () =>
  nodeTest(unit, ['--test-concurrency=2', '--test-timeout=180000']),
);
await phase(`integration tests (${integration.length} files, real control plane)`, () => integrationTests(integration));

log('\n=== summary');
for (const { name, seconds, ok } of phases)
  log(`  ${ok ? 'ok    ' : 'FAILED'} ${seconds.toFixed(1).padStart(7)}s  ${name}`);
const skipped = totals.skipped + totals.todo;
log(`tests: ${totals.passed} passed, ${totals.failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exitCode = phases.every((p) => p.ok) ? 0 : 1;
