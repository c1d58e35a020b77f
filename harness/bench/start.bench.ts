// Benchmark: warm start of the harness control plane (etcd + kube-apiserver,
// binaries already cached), from the call to startControlPlane() until
// /readyz answers 200, and optionally with controller-manager and scheduler.
// Usage: npm run bench -w harness [-- --runs 5]
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import { resolveAllBinaries } from '@strata/binaries';
import { startControlPlane } from '../src/control-plane.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${values.runs}`);

const binaries = await resolveAllBinaries();

async function measure(withControllers: boolean): Promise<number[]> {
  const samples: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    const controlPlane = await startControlPlane({ binaries, withControllers });
    samples.push(performance.now() - started);
    await controlPlane.stop();
  }
  return samples.sort((a, b) => a - b);
}

const describe = (samples: number[]) => {
  const median = samples[Math.floor(samples.length / 2)] ?? 0;
  const fmt = (ms: number) => `${(ms / 1000).toFixed(2)}s`;
  return `min ${fmt(samples[0] ?? 0)}  median ${fmt(median)}  max ${fmt(samples.at(-1) ?? 0)}  (${samples.length} runs)`;
};

process.stdout.write(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}\n`);
process.stdout.write(`etcd + kube-apiserver:                      ${describe(await measure(false))}\n`);
process.stdout.write(`etcd + apiserver + controller-manager + scheduler: ${describe(await measure(true))}\n`);
