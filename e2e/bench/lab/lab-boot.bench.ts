// Benchmark: a machine lab machine from power-on to its node image's multi-user.target, over PXE with Ignition from
// the boot server (the path of e2e/src/lab/node-image-pxe.integration.test.ts), split into its phases as the serial
// console shows them, several boots, medians. Also the TCG factor: the same CPU-bound work (SHA-256 of 256 MiB of
// zeros) timed on this host and inside a booted guest, so that a reader can scale the times to hardware that runs
// guests natively.
// Usage (from the root, as root): npm run bench:lab -w e2e [-- --boots 3 --out results.json]
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { IgnitionBuilder } from '@strata/assets';
import { runCommand } from '@strata/host';
import { ensureNodeImage } from '@strata/node-image';
import type { BootMarks } from '@strata/node-image/testing';
import { startNodeImageLab } from '../../src/lab/testing/node-image-lab.ts';
import { countOption, median, say } from './bench-args.ts';

const { values } = parseArgs({
  options: {
    boots: { type: 'string', default: '3' },
    out: { type: 'string' },
  },
});
const boots = countOption('boots', values.boots, 20);
/** The work timed on both sides; both run Debian's coreutils. */
const WORK = 'dd if=/dev/zero bs=1M count=256 2>/dev/null | sha256sum >/dev/null';

async function hostWorkMs(): Promise<number> {
  const started = performance.now();
  const result = await runCommand('sh', ['-c', WORK]);
  if (result.code !== 0) throw new Error(`the host's work failed: ${result.stderr}`);
  return performance.now() - started;
}

const PHASES: readonly [string, keyof BootMarks | 'start', keyof BootMarks][] = [
  ['firmware, DHCP, iPXE, kernel and initramfs over HTTP', 'start', 'kernel'],
  ['kernel to the initramfs systemd', 'kernel', 'initramfs'],
  ["initramfs: DHCP, Ignition's fetch and stages", 'initramfs', 'ignitionFiles'],
  ['switch to the root', 'ignitionFiles', 'systemd'],
  ["root's systemd to multi-user.target", 'systemd', 'multiUser'],
];

const imageStarted = performance.now();
const image = await ensureNodeImage();
say(
  `node image ${image.version} from the ${image.source} in ${((performance.now() - imageStarted) / 1000).toFixed(1)} s`,
);
const machine = { mac: '52:54:00:1a:be:01', hostname: 'bench-1' };
const lab = await startNodeImageLab(
  image,
  [
    {
      ...machine,
      ignition: new IgnitionBuilder().file({ path: '/etc/strata/bench', contents: 'bench\n', mode: 0o644 }).render(),
    },
  ],
  { name: 'lab-bench' },
);
const runs: { marks: BootMarks; guestWorkMs: number }[] = [];
try {
  for (let run = 1; run <= boots; run += 1) {
    const boot = await lab.boot(machine.mac, {
      timeoutMs: 600_000,
      checkScript: `s=$(date +%s%N); ${WORK}; e=$(date +%s%N); say "work-ns $((e - s))"`,
    });
    const workNs = Number(boot.check.find((line) => line.startsWith('work-ns '))?.slice('work-ns '.length));
    runs.push({ marks: boot.marks, guestWorkMs: workNs / 1e6 });
    say(
      `boot ${run}: ${PHASES.map(([name, from, to]) => {
        const start = from === 'start' ? 0 : boot.marks[from];
        const end = boot.marks[to];
        return `${name} ${start === undefined || end === undefined ? '?' : ((end - start) / 1000).toFixed(1)} s`;
      }).join('; ')}; power-on to multi-user ${((boot.marks.multiUser ?? NaN) / 1000).toFixed(1)} s`,
    );
  }
} finally {
  await lab.close();
}
const hostRuns = [await hostWorkMs(), await hostWorkMs(), await hostWorkMs()];
const hostMs = median(hostRuns);
const guestMs = median(runs.map((run) => run.guestWorkMs));
const phases = PHASES.map(([name, from, to]) => ({
  phase: name,
  medianSeconds:
    median(
      runs.map((run) => {
        const start = from === 'start' ? 0 : run.marks[from];
        const end = run.marks[to];
        return start === undefined || end === undefined ? NaN : end - start;
      }),
    ) / 1000,
}));
const total = median(runs.map((run) => run.marks.multiUser ?? NaN)) / 1000;
const machineInfo = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  loadAverageAtEnd: loadavg().map((value) => Number(value.toFixed(2))),
  node: process.version,
};
say('');
say(`| phase (median of ${boots}) | seconds |`);
say('|---|---|');
for (const { phase, medianSeconds } of phases) say(`| ${phase} | ${medianSeconds.toFixed(1)} |`);
say(`| power-on to multi-user.target | ${total.toFixed(1)} |`);
say('');
say(
  `TCG factor: ${WORK} took ${(guestMs / 1000).toFixed(2)} s in the guest (median) and ${(hostMs / 1000).toFixed(2)} s ` +
    `on the host: ${(guestMs / hostMs).toFixed(1)}x`,
);
say(`machine: ${JSON.stringify(machineInfo)}`);
if (values.out !== undefined) {
  await writeFile(
    values.out,
    `${JSON.stringify({ boots, phases, powerOnToMultiUserSeconds: total, hostWorkMs: hostMs, guestWorkMs: guestMs, tcgFactor: guestMs / hostMs, machine: machineInfo, runs }, null, 2)}\n`,
  );
}
