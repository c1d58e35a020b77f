// Benchmark (not a timed test): `strata install` on the local platform through
// the real CLI. Reports the time to Ready split by phase for a cluster of
// --workers workers (default 3), then the extra time a resume costs after a
// kill -9 in the provision phase. Usage (from the root):
//   npm run bench -w installer [-- --workers 3]
// The ten random kills along one install are a test: src/install/resume.integration.test.ts.
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { describeMachine } from './machine.ts';
import { waitFor } from '@strata/host';
import { installEventSchema, type InstallEvent } from '../src/install/events.ts';
import { formatMs } from '../src/install/format.ts';
import { InstallSandbox, localConfigYaml } from '../src/testing/install-sandbox.ts';

const { values } = parseArgs({ options: { workers: { type: 'string', default: '3' } } });
const workers = Number(values.workers);
if (!Number.isInteger(workers) || workers < 0)
  throw new Error(`--workers must be a whole number, got ${values.workers}`);

const say = (line: string) => process.stdout.write(`${line}\n`);
say(describeMachine());

const sandbox = await InstallSandbox.create();
say(`sandbox: ${sandbox.root}${sandbox.namespace === undefined ? '' : ` (network namespace ${sandbox.namespace})`}`);

function phaseTimes(stdout: string): Map<string, number> {
  const times = new Map<string, number>();
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    const event: InstallEvent = installEventSchema.parse(JSON.parse(line));
    if (event.type === 'phase-succeeded') times.set(event.phase, event.durationMs);
  }
  return times;
}

async function timedInstall(configPath: string, dir: string): Promise<{ ms: number; phases: Map<string, number> }> {
  const started = performance.now();
  const result = await sandbox.strata(['install', '--config', configPath, '--dir', dir, '--json']);
  const ms = performance.now() - started;
  if (result.code !== 0) throw new Error(`install failed (exit ${result.code}):\n${result.stderr}`);
  return { ms, phases: phaseTimes(result.stdout) };
}

try {
  const configPath = await sandbox.writeConfig('cluster.yaml', localConfigYaml({ name: 'bench', workers }));

  say(`\n1. local install, 1 controller and ${workers} workers, to Ready`);
  const fresh = await timedInstall(configPath, join(sandbox.root, 'fresh'));
  for (const [phase, ms] of fresh.phases) say(`   ${phase.padEnd(11)} ${formatMs(ms)}`);
  say(`   total       ${formatMs(fresh.ms)} (the command, start to exit)`);
  await sandbox.strata(['destroy', '--dir', join(sandbox.root, 'fresh'), '--yes']);

  say('\n2. kill -9 in the provision phase, then install again');
  const dir = join(sandbox.root, 'killed');
  const started = performance.now();
  const install = sandbox.spawnStrata(
    ['install', '--config', configPath, '--dir', dir],
    join(sandbox.root, 'killed.log'),
  );
  const exited = once(install, 'exit');
  await waitFor(
    'the install to start provisioning',
    async () =>
      (await readFile(join(dir, 'journal.jsonl'), 'utf8').catch(() => '')).includes('"provision","status":"started"')
        ? true
        : undefined,
    { timeoutMs: 300_000, intervalMs: 100 },
  );
  // Into the update: the engine has started the daemon's create.
  await sleep(5_000);
  install.kill('SIGKILL');
  await exited;
  const killedAfter = performance.now() - started;
  const resumed = await timedInstall(configPath, dir);
  for (const [phase, ms] of resumed.phases) say(`   ${phase.padEnd(11)} ${formatMs(ms)}`);
  const extra = killedAfter + resumed.ms - fresh.ms;
  say(`   killed after ${formatMs(killedAfter)}; the rerun took ${formatMs(resumed.ms)}`);
  say(`   extra time of the resume: ${formatMs(extra)} (killed run + rerun − uninterrupted install)`);
  await sandbox.strata(['destroy', '--dir', dir, '--yes']);
} finally {
  await sandbox.cleanup();
}
