// Benchmark: render a bare-metal cluster of 3 controllers and 1000 workers —
// every certificate, kubeconfig, static pod, manifest and Ignition config —
// into an empty directory, then again with nothing changed.
// Usage (from the repository root): npm run bench -w assets
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { applyRenderPlan, planClusterRender } from '../src/render/render.ts';
import { renderConfig } from '../src/testing/fixtures.ts';
import { TEST_SYSEXT_SHA512 } from '../src/testing/sysext-pin.ts';

const WORKERS = 1000;
const mac = (n: number) =>
  `52:54:00:${[16, 8, 0].map((shift) => ((n >> shift) & 0xff).toString(16).padStart(2, '0')).join(':')}`;
const machines = [
  ...[0, 1, 2].map((i) => ({
    name: `controller-${i}`,
    mac: mac(i),
    domain: `controller-${i}.bench.strata.test`,
    role: 'controller' as const,
  })),
  ...Array.from({ length: WORKERS }, (_, i) => ({
    name: `worker-${i}`,
    mac: mac(1000 + i),
    domain: `worker-${i}.bench.strata.test`,
    role: 'worker' as const,
    pool: 'worker',
  })),
];
const config = renderConfig({
  name: 'bench',
  platform: 'bare-metal',
  controllers: { count: 3 },
  workerPools: [{ name: 'worker', count: WORKERS }],
  bareMetal: { machines },
  kubernetesSysext: { sha512: TEST_SYSEXT_SHA512 },
  sshAuthorizedKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHnHZ6wNnwMm4xZbIh2P7xKTGk9Tg1jqbHBe7f6bI0mO bench@strata'],
});

const dir = await mkdtemp(join(tmpdir(), 'strata-render-bench-'));
try {
  const time = async (label: string) => {
    const started = performance.now();
    const plan = await planClusterRender({ config, dir });
    await applyRenderPlan(plan);
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `${label}: ${seconds.toFixed(2)}s, ${plan.writes.length} files written, ${plan.unchanged.length} unchanged\n`,
    );
  };
  process.stdout.write(
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}\n`,
  );
  await time(`cold render (3 controllers, ${WORKERS} workers)`);
  await time('re-render, nothing changed');
  // maxRSS is in KiB: the peak of this whole process, both renders included.
  process.stdout.write(`peak memory (max RSS): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
