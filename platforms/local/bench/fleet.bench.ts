// Benchmark: a local cluster (the rendered control plane on this machine) with
// 1000 simulated Flatcar workers. Reports the time until every node is Ready,
// then, over a steady-state window, the simulator's API request rate, CPU and
// memory. Usage (from the root): npm run bench -w platforms/local [-- --workers 1000 --window 60]
import { parseArgs } from 'node:util';
import { cpus, totalmem } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultLocalConfig } from '../src/cluster/default-config.ts';
import { startTestCluster } from '../src/testing/index.ts';

const { values } = parseArgs({
  options: { workers: { type: 'string', default: '1000' }, window: { type: 'string', default: '60' } },
});
const workers = Number(values.workers);
const windowSeconds = Number(values.window);
if (!Number.isInteger(workers) || workers < 1)
  throw new Error(`--workers must be a positive integer, got ${values.workers}`);
if (!Number.isFinite(windowSeconds) || windowSeconds < 10)
  throw new Error(`--window must be at least 10 seconds, got ${values.window}`);

const say = (line: string) => process.stdout.write(`${line}\n`);
say(
  `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
);

const started = performance.now();
const cluster = await startTestCluster({
  config: defaultLocalConfig({ name: 'bench', workers }),
  progress: (message) => say(`  [${((performance.now() - started) / 1000).toFixed(1)}s] ${message}`),
});
try {
  const readySeconds = (performance.now() - started) / 1000;
  say(
    `${workers + 1} nodes Ready ${readySeconds.toFixed(1)}s after start (control plane, render and manifests included)`,
  );

  // Let the DaemonSet pods settle, then measure a quiet window.
  await sleep(15_000);
  const before = cluster.fleet.requestCounts();
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 1_000);
  await sleep(windowSeconds * 1_000);
  clearInterval(sampler);
  const after = cluster.fleet.requestCounts();
  const cpu = process.cpuUsage(cpuBefore);
  const wall = (performance.now() - wallBefore) / 1000;

  const delta = (key: string) => (after.requests[key] ?? 0) - (before.requests[key] ?? 0);
  const keys = [...new Set([...Object.keys(after.requests)])]
    .filter((key) => delta(key) > 0)
    .sort((a, b) => delta(b) - delta(a));
  say(`steady state over ${wall.toFixed(0)}s:`);
  say(
    `  API requests from the simulator: ${((after.total - before.total) / wall).toFixed(1)}/s (${after.errors - before.errors} errors)`,
  );
  for (const key of keys) say(`    ${key}: ${(delta(key) / wall).toFixed(2)}/s`);
  say(`  simulator CPU: ${(((cpu.user + cpu.system) / 1e6 / wall) * 100).toFixed(1)}% of one core`);
  say(
    `  simulator memory: RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB (peak ${(peakRss / 2 ** 20).toFixed(0)} MiB)`,
  );
} finally {
  await cluster.destroy();
}
