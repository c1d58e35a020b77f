// Benchmark: one OS update rolled out over a local cluster of simulated
// Flatcar workers (1000 by default) with maxUnavailable 10% and a simulated
// reboot of 20 s. Strata's components run as `strata up` runs them: the
// operator as the bootstrap manifests deploy it (two replicas of its bundled
// binary as process pods, leader election), the agents as the DaemonSet's pods,
// one per node, with the pod's own service account token, against each node's
// simulated OS. It sits in the e2e package because that wiring is the
// installer's (localPlatformComponents), a layer above the operator.
// Reports the rollout time against its lower bound, the API writes per node,
// the operator's peak memory and its decision latency, and what the Flatcar
// update operator's rules would take for the same rollout.
// Usage (from the root): npm run bench:update-rollout -w e2e [-- --workers 1000 --reboot-seconds 20 --max-unavailable 10% --out results.json]
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CoordinationV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1Pod,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import {
  OPERATOR_POD_LABELS,
  UPDATE_OPERATOR_IMAGE,
  UPDATE_OPERATOR_NAMES,
  UPDATE_OPERATOR_NAMESPACE,
} from '@strata/assets';
import { LABELS, UPDATE_POLICY } from '@strata/api';
import { resolveAllBinaries } from '@strata/binaries';
import { localPlatformComponents, UPDATE_OPERATOR_BIN } from '@strata/installer';
import { describeFullCollections, fullCollectionsOf } from '@strata/update-operator/testing';
import {
  ClusterDirectory,
  defaultLocalConfig,
  FAST_UPDATE_TIMINGS,
  upLocalCluster,
} from '@strata/platform-local/testing';
import { nodePatchesBetween, readWriteCounts, rolloutWrites } from './apiserver-writes.ts';
import { OperatorProbe } from './operator-probe.ts';
import { addBuckets, histogramBuckets, quantileUpperBound } from './prometheus-text.ts';
import { RolloutTimeline, type NodeTimes } from './rollout-timeline.ts';

/** SIGUSR2 to each live leader (started with --heapsnapshot-signal), then waits for its snapshot to be written. */
async function snapshotLeaders(directory: string, probe: OperatorProbe): Promise<void> {
  await mkdir(directory, { recursive: true });
  for (const seen of probe.processes()) {
    if (!seen.led) continue;
    const before = new Set(await readdir(directory));
    try {
      process.kill(seen.pid, 'SIGUSR2');
    } catch (error) {
      say(`  no heap snapshot of pid ${seen.pid}: ${String(error)}`);
      continue;
    }
    // Node streams Heap.<date>.<time>.<pid>.<tid>.<seq>.heapsnapshot as it walks the heap: done once its size holds.
    const pattern = new RegExp(`\\.${seen.pid}\\.\\d+\\.\\d+\\.heapsnapshot$`);
    let lastSize = -1;
    for (let waited = 0; waited < 180; waited += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const written = (await readdir(directory)).find((name) => !before.has(name) && pattern.test(name));
      if (written === undefined) continue;
      const size = (await stat(join(directory, written))).size;
      if (size > 0 && size === lastSize) {
        say(`  heap snapshot of the leader ${seen.pod} (pid ${seen.pid}): ${join(directory, written)}`);
        break;
      }
      lastSize = size;
    }
  }
}

/**
 * The local platform starts every node at once, so the scheduler put the operator's replicas on the first nodes that
 * were Ready, often two workers, which the rollout then drains (the issue's 7 processes and 3 leaders). A cluster is
 * built controllers first and its workers join later, so there the replicas are placed once the controllers are up,
 * where the Deployment prefers them. This places them the same way: each replica on a worker is deleted once every
 * node is Ready, and its replacement is scheduled with every node to choose from; then this waits for two running
 * replicas and a leader among them.
 */
async function placeOperatorAsControllersFirst(admin: KubeConfig, controllers: ReadonlySet<string>): Promise<void> {
  const core = admin.makeApiClient(CoreV1Api);
  const leases = admin.makeApiClient(CoordinationV1Api);
  const labelSelector = Object.entries(OPERATOR_POD_LABELS)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
  const pods = async (): Promise<V1Pod[]> =>
    (await core.listNamespacedPod({ namespace: UPDATE_OPERATOR_NAMESPACE, labelSelector })).items;
  const gone = new Set<string>();
  const runningWithLeader = async (): Promise<{ running: V1Pod[]; holder: string | undefined }> => {
    for (let attempt = 0; attempt <= 600; attempt += 1) {
      const running = (await pods()).filter(
        (pod) =>
          !gone.has(pod.metadata?.name ?? '') && pod.status?.containerStatuses?.[0]?.state?.running !== undefined,
      );
      const lease = await leases
        .readNamespacedLease({ name: UPDATE_OPERATOR_NAMES.lease, namespace: UPDATE_OPERATOR_NAMESPACE })
        .catch(() => undefined);
      const holder = lease?.spec?.holderIdentity;
      if (running.length === 2 && running.some((pod) => pod.metadata?.name === holder)) return { running, holder };
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error('the operator replicas were not running with a leader within 5 minutes');
  };
  // The scheduler scores a sample of the feasible nodes in a large cluster (percentageOfNodesToScore), so a
  // replacement may miss the controller too: try again, a few times.
  for (let round = 1; round <= 10; round += 1) {
    const { running, holder } = await runningWithLeader();
    const onWorkers = running.filter((pod) => !controllers.has(pod.spec?.nodeName ?? ''));
    const placement = running
      .map((pod) => `${pod.metadata?.name} on ${pod.spec?.nodeName}${pod.metadata?.name === holder ? ' (leads)' : ''}`)
      .join(', ');
    // One replica fits on each controller (the FleetLock host port); the rest stay on workers whatever is done.
    if (running.length - onWorkers.length >= Math.min(controllers.size, running.length)) {
      say(`[${elapsed()}] operator replicas: ${placement}`);
      return;
    }
    say(`[${elapsed()}] operator replicas: ${placement}; placing them again (round ${round})`);
    for (const pod of onWorkers) {
      gone.add(pod.metadata?.name ?? '');
      await core.deleteNamespacedPod({ name: pod.metadata?.name ?? '', namespace: UPDATE_OPERATOR_NAMESPACE });
    }
  }
  say(`[${elapsed()}] the operator replicas stayed off the controllers after 10 rounds`);
}

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '1000' },
    // 3: the operator's two replicas both run on controllers, which the rollout (of the workers) never drains.
    controllers: { type: 'string', default: '1' },
    'reboot-seconds': { type: 'string', default: '20' },
    'max-unavailable': { type: 'string', default: '10%' },
    'timeout-minutes': { type: 'string', default: '60' },
    out: { type: 'string' },
    // V8 or Node flags for the operator's processes, e.g. "--max-semi-space-size=1" (measuring what they change).
    'operator-node-flags': { type: 'string', default: '' },
    'from-sources': { type: 'boolean', default: false },
    // A heap snapshot of each live leader once every worker is done, into this directory (the leader's heap at N nodes).
    'heap-snapshot-dir': { type: 'string' },
  },
});
const workers = Number(values.workers);
const controllers = Number(values.controllers);
if (controllers !== 1 && controllers !== 3) throw new Error(`--controllers must be 1 or 3, got ${values.controllers}`);
const rebootSeconds = Number(values['reboot-seconds']);
const maxUnavailableText = values['max-unavailable'];
if (!Number.isInteger(workers) || workers < 1)
  throw new Error(`--workers must be a positive integer, got ${values.workers}`);
if (!Number.isFinite(rebootSeconds) || rebootSeconds <= 0)
  throw new Error(`--reboot-seconds must be above 0, got ${values['reboot-seconds']}`);
if (!/^(\d+|(100|[1-9]\d?)%)$/.test(maxUnavailableText))
  throw new Error(`--max-unavailable must be a number or a percentage, got ${maxUnavailableText}`);
const maxUnavailable: number | string = maxUnavailableText.endsWith('%')
  ? maxUnavailableText
  : Number(maxUnavailableText);
/** The operator's own resolution: a percentage rounds down, at least 1. */
const limit =
  typeof maxUnavailable === 'number'
    ? maxUnavailable
    : Math.max(1, Math.floor((workers * Number(maxUnavailable.slice(0, -1))) / 100));

// As the installer runs it (ADR 0077): one bundled file built from the binary's sources; --from-sources runs the sources.
const components = await localPlatformComponents();
const bundled = components.images[UPDATE_OPERATOR_IMAGE]?.command?.at(-1);
if (bundled === undefined) throw new Error('the installer runs no program for the update operator image');
const BIN = values['from-sources'] ? UPDATE_OPERATOR_BIN : bundled;
const heapSnapshotDir = values['heap-snapshot-dir'] === undefined ? undefined : resolve(values['heap-snapshot-dir']);
const operatorNodeFlags = [
  ...values['operator-node-flags'].split(' ').filter((flag) => flag !== ''),
  ...(heapSnapshotDir === undefined ? [] : ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${heapSnapshotDir}`]),
];
const VERSION = '4230.2.4';
/** The Flatcar Linux Update Operator's defaults (pkg/operator/operator.go): one node at a time, a pass every 30 s. */
const FLATCAR_PERIOD_S = 30;
const FAST_UPDATES = FAST_UPDATE_TIMINGS;

const started = performance.now();
const elapsed = (): string => `${((performance.now() - started) / 1000).toFixed(1)}s`;
const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const percentile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
const mean = (list: readonly number[]): number => list.reduce((sum, value) => sum + value, 0) / list.length;

const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
say(`machine: ${machine}`);
say(
  `rollout of ${VERSION} over ${workers} workers, maxUnavailable ${maxUnavailableText} (${limit} nodes), simulated reboot ${rebootSeconds} s`,
);

const binaries = await resolveAllBinaries();
const dir = await mkdtemp(join(tmpdir(), 'strata-rollout-bench-'));
const cluster = await upLocalCluster({
  config: defaultLocalConfig({ name: 'rollout-bench', workers, controllers }),
  directory: new ClusterDirectory(dir),
  binaries,
  os: { rebootDelayMs: rebootSeconds * 1000, timings: FAST_UPDATES },
  readyTimeoutMs: 15 * 60_000,
  images: {
    ...components.images,
    [UPDATE_OPERATOR_IMAGE]: { command: [process.execPath, ...operatorNodeFlags, BIN] },
  },
  nodeRuntimes: components.nodeRuntimes,
  progress: (message) => say(`  [${elapsed()}] ${message}`),
});
try {
  say(`[${elapsed()}] ${cluster.nodeNames().length} nodes Ready`);
  const admin = cluster.adminKubeConfig();
  const workerNames = new Set(cluster.topology.workers.map((worker) => worker.name));
  const timeline = await RolloutTimeline.start(admin, (node) => workerNames.has(node.metadata?.name ?? ''));
  await timeline.until(
    (nodes) => nodes.length === workers && nodes.every((node) => node.metadata?.labels?.[LABELS.version] !== undefined),
    15 * 60_000,
    'every agent to report',
  );
  say(`[${elapsed()}] every agent reports its node`);
  await placeOperatorAsControllersFirst(admin, new Set(cluster.topology.controllers.map((node) => node.name)));

  // The policy of the rollout: every worker (the controller stays out of it), 10% at once.
  await admin.makeApiClient(CustomObjectsApi).patchClusterCustomObject(
    {
      group: UPDATE_POLICY.group,
      version: UPDATE_POLICY.version,
      plural: UPDATE_POLICY.plural,
      name: UPDATE_OPERATOR_NAMES.defaultPolicy,
      body: {
        spec: {
          maxUnavailable,
          nodeSelector: {
            matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'DoesNotExist' }],
          },
        },
      },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  const leases = admin.makeApiClient(CoordinationV1Api);
  for (let attempt = 0; ; attempt += 1) {
    const lease = await leases
      .readNamespacedLease({ name: UPDATE_OPERATOR_NAMES.lease, namespace: UPDATE_OPERATOR_NAMESPACE })
      .catch(() => undefined);
    if ((lease?.spec?.holderIdentity ?? '') !== '') break;
    if (attempt > 600) throw new Error('no operator replica leads after 5 minutes');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const probe = new OperatorProbe(admin);
  await probe.sample();
  say(`[${elapsed()}] the operator leads; measuring the steady state for 30 s`);
  const baseline = await readWriteCounts(binaries.kubectl, cluster.kubeconfigPath);
  await new Promise((resolve) => setTimeout(resolve, 30_000));

  const before = await readWriteCounts(binaries.kubectl, cluster.kubeconfigPath);
  probe.start();
  timeline.track(VERSION, limit);
  const offered = performance.now();
  cluster.updates.offer({ version: VERSION });
  await Promise.all([...workerNames].map((name) => cluster.operatingSystem(name).updateEngine.attemptUpdate()));
  say(`[${elapsed()}] offered ${VERSION} to every worker`);
  const progress = setInterval(() => {
    const times = [...timeline.times().values()];
    say(
      `  [${elapsed()}] needed ${times.filter((t) => t.needed !== undefined).length}, granted ${times.filter((t) => t.granted !== undefined).length}, done ${times.filter((t) => t.done !== undefined).length} of ${workers}`,
    );
  }, 15_000);
  await timeline.until(
    (nodes) => nodes.length === workers && nodes.every((node) => timeline.isDone(node)),
    Number(values['timeout-minutes']) * 60_000,
    `all ${workers} workers to be done on ${VERSION}`,
  );
  const finished = performance.now();
  // The machine is shared: the load while the rollout ran is part of every figure.
  const loadAtEnd = loadavg()
    .map((value) => value.toFixed(1))
    .join(' ');
  clearInterval(progress);
  const after = await readWriteCounts(binaries.kubectl, cluster.kubeconfigPath);
  await probe.stop();
  await timeline.stop();
  if (heapSnapshotDir !== undefined) await snapshotLeaders(heapSnapshotDir, probe);
  say(`[${elapsed()}] all done; measuring the steady state again for 30 s`);
  await new Promise((resolve) => setTimeout(resolve, 30_000));
  const settled = await readWriteCounts(binaries.kubectl, cluster.kubeconfigPath);

  // Rollout time and its lower bound.
  const times = [...timeline.times().values()];
  const rolloutMs = finished - offered;
  const firstNeeded = Math.min(...times.flatMap((t) => (t.needed === undefined ? [] : [t.needed])));
  const allNeeded = Math.max(...times.flatMap((t) => (t.needed === undefined ? [] : [t.needed])));
  const operatorRolloutMs = finished - firstNeeded;
  const phase = (from: keyof NodeTimes, to: keyof NodeTimes): number[] =>
    times.flatMap((t) => {
      const [start, end] = [t[from], t[to]];
      return start === undefined || end === undefined ? [] : [end - start];
    });
  const drains = times.flatMap((t) =>
    t.inProgress !== undefined && t.down !== undefined ? [t.down - t.inProgress] : [],
  );
  const reboots = times.flatMap((t) => (t.down !== undefined && t.up !== undefined ? [t.up - t.down] : []));
  const waves = Math.ceil(workers / limit);
  const meanDrainMs = mean(drains);
  const lowerBoundMs = waves * (meanDrainMs + rebootSeconds * 1000);
  // Flatcar's operator: a pass labels the node before-reboot, the next sets reboot-ok, a pass after the node is back labels it
  // after-reboot, and the next clears it and labels the next node: 2 + ceil((drain + reboot) / period) passes per node.
  const flatcarPasses = 2 + Math.ceil((meanDrainMs / 1000 + rebootSeconds) / FLATCAR_PERIOD_S);
  const flatcarSeconds = workers * flatcarPasses * FLATCAR_PERIOD_S;

  // Writes.
  const writes = rolloutWrites([baseline, before], before, after, [after, settled]);
  const rolloutWriteTotal = [...writes.values()].reduce((sum, row) => sum + row.rollout, 0);

  // The operator's memory and decision latency, over every replica process seen.
  const processes = probe.processes();
  const leaders = processes.filter((seen) => seen.led);
  const decision = new Map<number, number>();
  for (const seen of leaders)
    addBuckets(decision, histogramBuckets(seen.samples, 'strata_update_operator_decision_latency_seconds'));
  const decisionCount = decision.get(Number.POSITIVE_INFINITY) ?? 0;
  // Under --trace-gc, V8's account of each leader's full collections, from its container's log (and the log of the
  // run before a restart): whether its peak heap was garbage waiting for a collection or alive.
  const collections = new Map<string, ReturnType<typeof fullCollectionsOf>>();
  if (operatorNodeFlags.includes('--trace-gc')) {
    const files = (await readdir(dir, { recursive: true })).filter((file) => file.endsWith('.log'));
    for (const { pod } of leaders) {
      const own = files.filter((file) => file.includes(`${UPDATE_OPERATOR_NAMESPACE}_${pod}_`));
      const logs = await Promise.all(own.map((file) => readFile(join(dir, file), 'utf8')));
      collections.set(pod, fullCollectionsOf(logs.join('\n')));
    }
  }
  const reaction = [...timeline.reactionMs()].sort((a, b) => a - b);

  say('');
  say(`=== results (${machine})`);
  say(
    `rollout: ${seconds(operatorRolloutMs)} from the first reboot-needed seen until all ${workers} workers were done (${seconds(rolloutMs)} from the offer; staging the update took until ${seconds(allNeeded - offered)})`,
  );
  say(
    `  lower bound ceil(${workers}/${limit}) x (drain ${seconds(meanDrainMs)} + reboot ${rebootSeconds} s) = ${waves} x ${seconds(meanDrainMs + rebootSeconds * 1000)} = ${seconds(lowerBoundMs)}; ratio ${(operatorRolloutMs / lowerBoundMs).toFixed(3)}`,
  );
  const phases: [string, keyof NodeTimes, keyof NodeTimes][] = [
    ['reboot-needed seen to reboot-ok seen', 'needed', 'granted'],
    ['reboot-ok to reboot-in-progress (agent starts)', 'granted', 'inProgress'],
    ['reboot-in-progress to NotReady (drain, shutdown)', 'inProgress', 'down'],
    ['NotReady to Ready (reboot)', 'down', 'up'],
    ['Ready to the agent done (reboot-needed cleared)', 'up', 'agentDone'],
    ['the agent done to done (the operator clears up)', 'agentDone', 'done'],
  ];
  for (const [label, from, to] of phases) {
    const list = phase(from, to).sort((a, b) => a - b);
    say(
      `    ${label.padEnd(50)} mean ${seconds(mean(list))}, p50 ${seconds(percentile(list, 0.5))}, p99 ${seconds(percentile(list, 0.99))}`,
    );
  }
  say(
    `  drain (reboot-in-progress to NotReady) mean ${seconds(meanDrainMs)}, p99 ${seconds(
      percentile(
        [...drains].sort((a, b) => a - b),
        0.99,
      ),
    )}; down (NotReady to Ready) mean ${seconds(mean(reboots))}`,
  );
  say(
    `  budget: at most ${timeline.maxUnavailable} of ${limit} unavailable at once; ${timeline.overBudget} change(s) over budget; ${timeline.gaps} watch gap(s) after ${timeline.interruptions} watch restart(s)`,
  );
  say(
    `  Flatcar operator's rules (1 node at a time, a pass every ${FLATCAR_PERIOD_S} s): ${workers} x (2 + ceil((${(meanDrainMs / 1000).toFixed(1)} + ${rebootSeconds}) / ${FLATCAR_PERIOD_S})) x ${FLATCAR_PERIOD_S} s = ${flatcarSeconds} s (${(flatcarSeconds / 3600).toFixed(1)} h)`,
  );
  say(
    `API writes charged to the rollout: ${rolloutWriteTotal.toFixed(0)} = ${(rolloutWriteTotal / workers).toFixed(1)} per node (the lower steady-state rate, of 30 s before and 30 s after, taken off)`,
  );
  for (const [resource, row] of writes) {
    if (row.rollout >= 1)
      say(
        `  ${resource.padEnd(28)} ${(row.rollout / workers).toFixed(2)} per node (${row.total} written, ${row.baseline.toFixed(0)} steady state)`,
      );
  }
  const nodePatches = nodePatchesBetween(before, after);
  say(
    `  the API server's own time for a PATCH of a Node through the rollout (apiserver_request_duration_seconds, the server the benchmark reads): ${nodePatches.get(Number.POSITIVE_INFINITY) ?? 0} requests, p50 <= ${quantileUpperBound(nodePatches, 0.5)} s, p90 <= ${quantileUpperBound(nodePatches, 0.9)} s, p99 <= ${quantileUpperBound(nodePatches, 0.99)} s`,
  );
  say(`operator processes: ${processes.length} seen, ${leaders.length} led`);
  for (const seen of processes) {
    say(
      `  ${seen.pod} on ${seen.node} (pid ${seen.pid}${seen.led ? ', led' : ''}): peak RSS (VmHWM) ${(seen.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
    );
    say(
      `    highest scraped: ${[...seen.memoryPeaks].map(([gauge, bytes]) => `${gauge} ${(bytes / 2 ** 20).toFixed(1)}`).join(', ')} (MiB)`,
    );
    const ofPod = collections.get(seen.pod);
    if (ofPod !== undefined) say(`    ${describeFullCollections(ofPod)}`);
  }
  say(
    `decision latency (operator histogram, the change that made the grant possible to its write): ${decisionCount} grants, p50 <= ${quantileUpperBound(decision, 0.5)} s, p99 <= ${quantileUpperBound(decision, 0.99)} s, max <= ${quantileUpperBound(decision, 1)} s`,
  );
  say(
    `  cumulative buckets: ${[...decision]
      .sort((a, b) => a[0] - b[0])
      .map(([le, count]) => `<= ${le} s: ${count}`)
      .join(', ')}`,
  );
  const passes = new Map<string, number>();
  for (const seen of leaders)
    for (const sample of seen.samples)
      if (sample.name === 'strata_update_operator_reconciles_total') {
        const outcome = sample.labels['outcome'] ?? '?';
        passes.set(outcome, (passes.get(outcome) ?? 0) + sample.value);
      }
  say(
    `  the leaders' passes by outcome (each one's last scrape): ${[...passes].map(([outcome, count]) => `${outcome} ${count}`).join(', ')}`,
  );
  for (const phaseName of ['plan', 'node-writes', 'status']) {
    const buckets = new Map<number, number>();
    for (const seen of leaders)
      addBuckets(
        buckets,
        histogramBuckets(
          seen.samples,
          'strata_update_operator_reconcile_phase_seconds',
          (labels) => labels['phase'] === phaseName,
        ),
      );
    const count = buckets.get(Number.POSITIVE_INFINITY) ?? 0;
    say(
      `  pass phase ${phaseName}: ${count} observed, p50 <= ${quantileUpperBound(buckets, 0.5)} s, p90 <= ${quantileUpperBound(buckets, 0.9)} s, p99 <= ${quantileUpperBound(buckets, 0.99)} s`,
    );
  }
  say(`load average (1, 5, 15 min) as the rollout finished: ${loadAtEnd}`);
  say(
    `reaction latency (watch: free slot or reboot-needed, whichever is later, to grant): ${reaction.length} grants, p50 ${seconds(percentile(reaction, 0.5))}, p99 ${seconds(percentile(reaction, 0.99))}, max ${seconds(reaction.at(-1) ?? Number.NaN)}`,
  );

  if (values.out !== undefined) {
    await writeFile(
      values.out,
      `${JSON.stringify(
        {
          machine,
          workers,
          limit,
          rebootSeconds,
          rolloutMs,
          operatorRolloutMs,
          stagedMs: allNeeded - offered,
          lowerBoundMs,
          phasesMs: Object.fromEntries(phases.map(([label, from, to]) => [label, mean(phase(from, to))])),
          meanDrainMs,
          maxUnavailableSeen: timeline.maxUnavailable,
          overBudget: timeline.overBudget,
          flatcarSeconds,
          writesPerNode: rolloutWriteTotal / workers,
          writes: Object.fromEntries(writes),
          operators: processes.map(({ pod, node, pid, peakRssBytes, led, memoryPeaks }) => ({
            fullCollections: collections.get(pod),
            pod,
            node,
            pid,
            peakRssBytes,
            led,
            memoryPeaks: Object.fromEntries(memoryPeaks),
          })),
          decisionBuckets: Object.fromEntries([...decision].map(([le, count]) => [String(le), count])),
          nodePatchBuckets: Object.fromEntries([...nodePatches].map(([le, count]) => [String(le), count])),
          reactionMs: { p50: percentile(reaction, 0.5), p99: percentile(reaction, 0.99), max: reaction.at(-1) },
          loadAverageAtEnd: loadAtEnd,
        },
        null,
        2,
      )}\n`,
    );
  }
} finally {
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
}
