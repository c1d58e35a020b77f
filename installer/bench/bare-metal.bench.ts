// Benchmark (not a timed test): `strata install` on bare metal through the
// real CLI, against simulated machines powered on once the installer says
// they are registered. Reports the time to Ready split by phase, then the
// destroy. Usage (from the root):
//   npm run bench:bare-metal -w installer [-- --controllers 3 --workers 10]
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { describeMachine } from './machine.ts';
import type { SimulatedMachines } from '@strata/platform-local/testing';
import { installEventSchema } from '../src/install/events.ts';
import { formatMs } from '../src/install/format.ts';
import {
  BareMetalSandbox,
  bareMetalConfigInput,
  machineSpecs,
  parsedConfig,
} from '../src/testing/bare-metal-sandbox.ts';

const { values } = parseArgs({
  options: { controllers: { type: 'string', default: '3' }, workers: { type: 'string', default: '10' } },
});
const controllers = Number(values.controllers);
const workers = Number(values.workers);
if (![1, 3, 5].includes(controllers)) throw new Error(`--controllers must be 1, 3 or 5, got ${values.controllers}`);
if (!Number.isInteger(workers) || workers < 0)
  throw new Error(`--workers must be a whole number, got ${values.workers}`);

const say = (line: string) => process.stdout.write(`${line}\n`);
say(describeMachine());

const sandbox = await BareMetalSandbox.create();
let machines: Promise<SimulatedMachines> | undefined;
try {
  const input = bareMetalConfigInput({
    name: 'bench',
    endpoint: sandbox.boot.url,
    machines: machineSpecs(controllers, workers),
    sshKey: sandbox.identity.publicKey,
  });
  const configPath = await sandbox.writeConfig('bench.yaml', input);
  const config = parsedConfig(input);
  const dir = join(sandbox.root, 'bench');
  say(`\nbare-metal install, ${controllers} controller(s) and ${workers} workers on simulated machines, to Ready`);
  const started = performance.now();
  const child = sandbox.spawnStrata(await sandbox.hostsFor(config), [
    'install',
    '--config',
    configPath,
    '--dir',
    dir,
    '--json',
    ...sandbox.bootApiArgs,
  ]);
  const phases = new Map<string, number>();
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  let registeredAt: number | undefined;
  let deliveredAt: number | undefined;
  if (child.stdout === null) throw new Error('the CLI has no stdout');
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.trim() === '') return;
    const event = installEventSchema.parse(JSON.parse(line));
    if (event.type === 'phase-succeeded') phases.set(event.phase, event.durationMs);
    if (event.type === 'phase-progress' && /registered with the boot server/.test(event.message)) {
      registeredAt ??= performance.now() - started;
      machines ??= sandbox.powerOn(config);
    }
    if (event.type === 'phase-progress' && /withheld file\(s\) delivered/.test(event.message)) {
      deliveredAt = performance.now() - started;
    }
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`install failed (exit ${String(code)}):\n${stderr.join('')}`);
  for (const [phase, phaseMs] of phases) say(`   ${phase.padEnd(11)} ${formatMs(phaseMs)}`);
  say(`   total       ${formatMs(ms)} (the command, start to exit)`);
  say(
    `   machines registered (powered on) at ${formatMs(registeredAt ?? 0)}; last controller's secrets delivered at ${formatMs(deliveredAt ?? 0)}`,
  );
  const destroyStarted = performance.now();
  const destroyed = await sandbox.strata(['destroy', '--dir', dir, '--yes']);
  if (destroyed.code !== 0) throw new Error(`destroy failed (exit ${String(destroyed.code)}):\n${destroyed.stderr}`);
  say(`   destroy     ${formatMs(performance.now() - destroyStarted)}`);
} finally {
  // The machines must be started before cleanup stops them; a failed start is the benchmark's failure too.
  if (machines !== undefined) await machines;
  await sandbox.cleanup();
}
