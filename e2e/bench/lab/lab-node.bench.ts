// Benchmark: a machine lab machine from power-on to a Ready node, and pods starting on it (the path of
// e2e/src/lab/lab-cluster.lab.test.ts, one machine here: the node image over PXE with a rendered worker's
// Ignition, joining the stand-in control plane; Ready once flannel's pod has written its CNI config). Phases from the serial console (firmware and PXE, the kernel to the initramfs, Ignition in
// the initramfs, the root's systemd to multi-user.target) and from the API (the kubelet's join: multi-user.target to
// Ready), then pod start latency, from the API's create to Running: cold (the first pod pulls the workload image and
// the pause image from the lab's registry) and warm (a second pod of the same image). Each run is a new machine and
// a new control plane; medians over the runs.
// Usage (from the root, as root): npm run bench:lab-node -w e2e [-- --runs 2 --out results.json]
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { waitFor } from '@strata/host';
import { ensureNodeImage } from '@strata/node-image';
import type { BootMarks } from '@strata/node-image/testing';
import { kubectlExec, labWorkloadPod, startLabNodeCluster } from '../../src/lab/testing/lab-node-cluster.ts';
import { countOption, median, say } from './bench-args.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '2' },
    out: { type: 'string' },
  },
});
const runs = countOption('runs', values.runs, 10);
const CONTROLLER = { name: 'bench-ctrl-1', mac: '52:54:00:5b:00:01' };
const WORKER = { name: 'bench-node-1', mac: '52:54:00:5b:00:11' };
const CHECK_DIR = '/run/strata-lab-bench';

/** Milliseconds from the API's create to the pod's Running, polled every 250 ms. */
async function podStartMs(kubeConfig: KubeConfig, name: string, hostPath?: string): Promise<number> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const started = performance.now();
  await core.createNamespacedPod({
    namespace: 'default',
    body: labWorkloadPod(name, hostPath === undefined ? {} : { hostPath }),
  });
  await waitFor(
    `pod ${name} to run`,
    async () =>
      (await core.readNamespacedPod({ name, namespace: 'default' })).status?.phase === 'Running' ? true : undefined,
    { timeoutMs: 5 * 60_000, intervalMs: 250 },
  );
  return performance.now() - started;
}

interface Run {
  readonly marks: BootMarks;
  readonly readyMs: number;
  readonly coldPodMs: number;
  readonly warmPodMs: number;
}

const image = await ensureNodeImage();
say(`node image ${image.version} from the ${image.source}`);
const results: Run[] = [];
for (let run = 1; run <= runs; run++) {
  const cluster = await startLabNodeCluster(image, CONTROLLER, [WORKER], 'lab-node-bench');
  try {
    let started = performance.now();
    const booted = cluster.lab.boot(WORKER.mac, {
      timeoutMs: 20 * 60_000,
      onStarted: (at) => (started = at),
      checkScript: `mkdir -p ${CHECK_DIR}; i=0; while [ ! -s ${CHECK_DIR}/done ] && [ $i -lt 1200 ]; do sleep 1; i=$((i+1)); done`,
    });
    // Awaited below; until then a failed boot ends the wait for the node at once.
    let bootError: Error | undefined;
    booted.catch((error: unknown) => (bootError = error instanceof Error ? error : new Error(String(error))));
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    await waitFor(
      `node ${WORKER.name} to be Ready`,
      async () => {
        if (bootError !== undefined) throw bootError;
        const node = await core.readNode({ name: WORKER.name }).catch(() => undefined);
        return node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true
          ? true
          : undefined;
      },
      { timeoutMs: 15 * 60_000, intervalMs: 250 },
    );
    const readyMs = performance.now() - started;
    const coldPodMs = await podStartMs(cluster.kubeConfig, 'cold', CHECK_DIR);
    const warmPodMs = await podStartMs(cluster.kubeConfig, 'warm');
    await kubectlExec(cluster, 'cold', ['/bin/sh', '-c', 'echo done > /check/done'], (attempt, stderr) =>
      say(`run ${run}: kubectl exec, attempt ${attempt} failed: ${stderr.trim()}`),
    );
    const boot = await booted;
    results.push({ marks: boot.marks, readyMs, coldPodMs, warmPodMs });
    say(
      `run ${run}: Ready ${(readyMs / 1000).toFixed(1)} s after power-on, pods cold ${(coldPodMs / 1000).toFixed(1)} s, ` +
        `warm ${(warmPodMs / 1000).toFixed(1)} s; marks ${JSON.stringify(boot.marks)}`,
    );
  } finally {
    await cluster.close();
  }
}

const between = (run: Run, from: keyof BootMarks | 'start', to: keyof BootMarks | 'ready'): number => {
  const at = (mark: keyof BootMarks | 'start' | 'ready') =>
    mark === 'start' ? 0 : mark === 'ready' ? run.readyMs : (run.marks[mark] ?? NaN);
  return at(to) - at(from);
};
const PHASES: readonly [string, keyof BootMarks | 'start', keyof BootMarks | 'ready'][] = [
  ['firmware, DHCP, iPXE, kernel and initramfs over HTTP', 'start', 'kernel'],
  ['kernel to the initramfs systemd', 'kernel', 'initramfs'],
  ["initramfs: DHCP, Ignition's fetch and stages", 'initramfs', 'ignitionFiles'],
  ['switch to the root', 'ignitionFiles', 'systemd'],
  ["root's systemd to multi-user.target (containerd up)", 'systemd', 'multiUser'],
  ["kubelet's join: multi-user.target to Ready (TLS bootstrap, registration, CNI)", 'multiUser', 'ready'],
  ['power-on to Ready', 'start', 'ready'],
];
const rows = [
  ...PHASES.map(([name, from, to]) => [name, median(results.map((run) => between(run, from, to)))] as const),
  ['pod start, cold image (pull of workload and pause)', median(results.map((run) => run.coldPodMs))] as const,
  ['pod start, warm image', median(results.map((run) => run.warmPodMs))] as const,
];
const machine = `${cpus().length} vCPU ${cpus()[0]?.model ?? ''}, ${Math.round(totalmem() / 2 ** 30)} GiB, load average ${loadavg()
  .map((load) => load.toFixed(1))
  .join(' ')} at the end`;
say(`\n${machine}; ${runs} run(s), medians:`);
say('| Phase | Seconds |\n| --- | --- |');
for (const [name, ms] of rows) say(`| ${name} | ${(ms / 1000).toFixed(1)} |`);
if (values.out !== undefined) await writeFile(values.out, `${JSON.stringify({ machine, results }, null, 2)}\n`);
