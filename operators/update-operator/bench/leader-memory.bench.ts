// The leader's memory through a rollout over thousands of nodes, beyond what this machine can run as simulated
// kubelets (the whole-system benchmark, e2e's bench:update-rollout, stops near 1000). The Nodes are the objects the
// local platform's simulated workers register (createSimulatedNodes), in a real API server and etcd; the test
// stand-in for the agents and kubelets (FakeAgents, driven by a watch) plays their part of the protocol with admin
// credentials. The operator is one replica of the bundle its pods run, with the environment its pods set
// (UPDATE_OPERATOR_PROCESS_ENV: V8's young generation, glibc's arenas), watching every Node. What is measured is the kernel's peak resident set of its process
// (VmHWM), and how it grows: once synced and idle, and through the rollout.
// With `--trace-gc` among `--node-flags`, V8's own account of each full collection (the heap before it, and what was
// still alive after it) is summed up: what the peak held that was garbage, and what was live.
// Not a test: `npm run bench:memory -w @strata/update-operator -- [--nodes 5000] [--max-unavailable 10%]
// [--reboot-ms 20000] [--node-flags="--trace-gc ..."] [--out results.json]`.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { ANNOTATIONS, TRUE } from '@strata/api';
import { UPDATE_OPERATOR_NAMES, UPDATE_OPERATOR_PROCESS_ENV } from '@strata/assets';
import { bundleNodeProgram, resolveAllBinaries } from '@strata/binaries';
import { startControlPlane, waitFor } from '@strata/harness';
import { ManagedProcess, readProcessMemory, settleBounded, type ProcessMemory } from '@strata/host';
import { loadKubeConfig } from '@strata/kube';
import { createSimulatedNodes } from '@strata/platform-local/testing';
import {
  createPolicy,
  FakeAgents,
  installCrd,
  InvariantChecker,
  markRebootNeeded,
  RUN_LABEL,
} from '../src/operator/integration-fixtures.ts';
import { describeFullCollections, fullCollectionsOf } from '../src/testing/index.ts';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '5000' },
    'max-unavailable': { type: 'string', default: '10%' },
    'reboot-ms': { type: 'string', default: '20000' },
    'node-flags': { type: 'string', default: '' },
    out: { type: 'string' },
  },
});
const nodeFlags = values['node-flags'].split(/\s+/).filter((flag) => flag !== '');
const badFlag = nodeFlags.find((flag) => !/^--[a-z0-9-]+(=[\w.]+)?$/.test(flag));
if (badFlag !== undefined) {
  process.stderr.write(`--node-flags takes Node or V8 flags such as "--trace-gc", not "${badFlag}"\n`);
  process.exit(2);
}

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`--${flag} must be a whole number of at least 1, not "${text}"\n`);
    process.exit(2);
  }
  return value;
}

const count = positiveInteger('nodes', values.nodes);
const rebootMs = positiveInteger('reboot-ms', values['reboot-ms']);
const maxUnavailableText = values['max-unavailable'];
const percent = /^(\d{1,3})%$/.exec(maxUnavailableText);
const maxUnavailable = percent === null ? positiveInteger('max-unavailable', maxUnavailableText) : maxUnavailableText;
const limit =
  typeof maxUnavailable === 'number' ? maxUnavailable : Math.max(1, Math.floor((count * Number(percent?.[1])) / 100));

const startedAt = performance.now();
const elapsed = (): string => `${((performance.now() - startedAt) / 1000).toFixed(1)}s`;
const say = (line: string): void => void process.stdout.write(`${line}\n`);
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** The operator's memory now; the process must be running. */
async function memoryOf(pid: number): Promise<ProcessMemory> {
  const memory = await readProcessMemory(pid);
  if (memory === undefined) throw new Error(`the operator (pid ${pid}) is gone; see its log`);
  return memory;
}

say(`the update operator's leader over ${count} nodes, maxUnavailable ${maxUnavailableText} (${limit} at once)`);
const directory = await mkdtemp(join(tmpdir(), 'strata-leader-memory-'));
const binaries = await resolveAllBinaries();
const controlPlane = await startControlPlane({ binaries });
let operator: ManagedProcess | undefined;
try {
  const kubeConfig = loadKubeConfig({ kubeconfigPath: controlPlane.info.kubeconfigPath });
  await installCrd(kubeConfig);
  const run = 'leader-memory';
  say(`[${elapsed()}] creating ${count} Nodes as the simulated workers register them`);
  await createSimulatedNodes(kubeConfig, { count, prefix: 'bench-worker', labels: { [RUN_LABEL]: run } });

  const program = await bundleNodeProgram({
    name: 'update-operator',
    entry: fileURLToPath(new URL('../bin/update-operator.ts', import.meta.url)),
  });
  const identity = 'bench-leader';
  operator = ManagedProcess.start({
    name: 'update-operator',
    command: process.execPath,
    args: [
      ...nodeFlags,
      program,
      'operator',
      `--kubeconfig=${controlPlane.info.kubeconfigPath}`,
      '--namespace=default',
      `--identity=${identity}`,
      '--metrics-address=127.0.0.1:0',
      '--fleetlock-address=127.0.0.1:0',
      '--log-level=warn',
    ],
    env: UPDATE_OPERATOR_PROCESS_ENV,
    logFile: join(directory, 'update-operator.log'),
  });
  const pid = await operator.pid;
  const leases = kubeConfig.makeApiClient(CoordinationV1Api);
  await waitFor(
    'the operator to lead',
    async () => {
      const lease = await leases.readNamespacedLease({ name: UPDATE_OPERATOR_NAMES.lease, namespace: 'default' });
      return lease.spec?.holderIdentity === identity ? true : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 250, retryErrors: true },
  );

  let peakSample: ProcessMemory = await memoryOf(pid);
  const sampler = setInterval(() => {
    void memoryOf(pid).then(
      (memory) => {
        if (memory.residentBytes > peakSample.residentBytes) peakSample = memory;
      },
      (error: unknown) => say(`  memory of pid ${pid} not read: ${String(error)}`),
    );
  }, 250);
  try {
    // Synced, and a pass over every node done: the first status of a policy that selects them all.
    const checker = new InvariantChecker(kubeConfig, `${RUN_LABEL}=${run}`, limit);
    await checker.start();
    const agents = new FakeAgents(kubeConfig, `${RUN_LABEL}=${run}`, rebootMs, { retryMs: 500 });
    await agents.start();
    await createPolicy(kubeConfig, run, run, { nodeSelector: { matchLabels: { [RUN_LABEL]: run } }, maxUnavailable });
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const idle = await memoryOf(pid);
    say(
      `[${elapsed()}] synced and idle with ${count} nodes: RSS ${mib(idle.residentBytes)} (anon ${mib(idle.anonymousBytes)}, file ${mib(idle.fileBytes)}), peak so far ${mib(idle.peakBytes)}`,
    );

    say(`[${elapsed()}] marking every node reboot-needed`);
    const rolloutStarted = performance.now();
    const marked = await settleBounded(
      checker.nodes().map((node) => node.metadata?.name ?? ''),
      16,
      (name) => markRebootNeeded(kubeConfig, name),
    );
    const unmarked = marked.filter((result) => result.status === 'rejected').length;
    if (unmarked > 0) throw new Error(`${unmarked} nodes could not be marked reboot-needed`);
    const done = (): number =>
      checker
        .nodes()
        .filter(
          (node) =>
            node.metadata?.annotations?.[ANNOTATIONS.rebootNeeded] === 'false' &&
            node.metadata.annotations[ANNOTATIONS.rebootOk] !== TRUE,
        ).length;
    let reported = performance.now();
    await waitFor(
      `every one of ${count} nodes to be rebooted and cleared`,
      async () => {
        if (performance.now() - reported >= 15_000) {
          reported = performance.now();
          const memory = await memoryOf(pid);
          say(
            `[${elapsed()}] done ${done()} of ${count}; RSS ${mib(memory.residentBytes)}, peak ${mib(memory.peakBytes)}`,
          );
        }
        return done() === count ? true : undefined;
      },
      { timeoutMs: 60 * 60_000, intervalMs: 500 },
    );
    const rolloutSeconds = (performance.now() - rolloutStarted) / 1000;
    const end = await memoryOf(pid);
    await agents.stop();
    await checker.stop();

    const [load1, load5] = loadavg();
    const results = {
      nodes: count,
      maxUnavailable: maxUnavailableText,
      limit,
      rebootMs,
      rolloutSeconds,
      leader: {
        peakRssMiB: end.peakBytes / 2 ** 20,
        idleRssMiB: idle.residentBytes / 2 ** 20,
        endRssMiB: end.residentBytes / 2 ** 20,
        atPeakSample: {
          rssMiB: peakSample.residentBytes / 2 ** 20,
          anonMiB: peakSample.anonymousBytes / 2 ** 20,
          fileMiB: peakSample.fileBytes / 2 ** 20,
        },
      },
      mostHoldingSlots: checker.maxSlots,
      budgetViolations: checker.violations,
      agentErrors: agents.errors.length,
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: totalmem() / 2 ** 30, node: process.version },
      loadAverage: { oneMinute: load1, fiveMinutes: load5 },
    };
    say(`[${elapsed()}] rollout over ${count} nodes done in ${rolloutSeconds.toFixed(1)} s`);
    say(`  leader's peak RSS (VmHWM): ${mib(end.peakBytes)}; idle with every node synced: ${mib(idle.residentBytes)}`);
    say(
      `  at the highest sample: RSS ${mib(peakSample.residentBytes)} = anon ${mib(peakSample.anonymousBytes)} + file ${mib(peakSample.fileBytes)}`,
    );
    say(`  most holding a slot at once: ${checker.maxSlots} of ${limit}; violations: ${checker.violations.length}`);
    say(`  agent stand-in errors (each retried): ${agents.errors.length}`);
    say(
      `  load average at the end: ${loadavg()
        .map((load) => load.toFixed(2))
        .join(' ')}`,
    );
    const collections = nodeFlags.includes('--trace-gc')
      ? fullCollectionsOf(await readFile(join(directory, 'update-operator.log'), 'utf8'))
      : undefined;
    if (collections !== undefined) say(`  ${describeFullCollections(collections)}`);
    if (values.out !== undefined)
      await writeFile(values.out, `${JSON.stringify({ ...results, fullCollections: collections }, null, 2)}\n`);
    if (checker.violations.length > 0) process.exitCode = 1;
  } finally {
    clearInterval(sampler);
  }
} finally {
  await operator?.stop();
  await controlPlane.stop();
  await rm(directory, { recursive: true, force: true });
}
