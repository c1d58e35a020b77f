// Benchmark (not a timed test): `strata install` on bare metal through the
// real CLI, against simulated machines powered on once the installer says
// they are registered. Reports the time to Ready split by phase, then the
// destroy; then the extra time a resume costs after a kill -9 in the
// provision phase (--kill-after ms into it): the killed run plus the rerun,
// less the uninterrupted install. Usage (from the root):
//   npm run bench:bare-metal -w installer [-- --controllers 3 --workers 10 --kill-after 5000]
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describeMachine } from './machine.ts';
import type { InstallEvent } from '../src/install/events.ts';
import { formatMs } from '../src/install/format.ts';
import {
  BareMetalSandbox,
  bareMetalConfigInput,
  machineSpecs,
  parsedConfig,
} from '../src/testing/bare-metal-sandbox.ts';
import { KillSwitch } from '../src/testing/kill-plan.ts';

const { values } = parseArgs({
  options: {
    controllers: { type: 'string', default: '3' },
    workers: { type: 'string', default: '10' },
    'kill-after': { type: 'string', default: '5000' },
  },
});
const controllers = Number(values.controllers);
const workers = Number(values.workers);
const killAfterMs = Number(values['kill-after']);
if (![1, 3, 5].includes(controllers)) throw new Error(`--controllers must be 1, 3 or 5, got ${values.controllers}`);
if (!Number.isInteger(workers) || workers < 0)
  throw new Error(`--workers must be a whole number, got ${values.workers}`);
if (!Number.isInteger(killAfterMs) || killAfterMs < 0)
  throw new Error(`--kill-after must be a whole number of milliseconds, got ${values['kill-after']}`);

const say = (line: string) => process.stdout.write(`${line}\n`);
say(describeMachine());

interface Timed {
  readonly ms: number;
  readonly phases: Map<string, number>;
  readonly registeredAt: number | undefined;
  readonly deliveredAt: number | undefined;
  readonly killed: { phase: string | undefined; intoPhaseMs: number; afterMs: number } | undefined;
}

const sandbox = await BareMetalSandbox.create();
/** One install of cluster `name` on fresh machines; killed `killAfterMs` into provision when given. */
async function timedInstall(name: string, killInProvisionAfterMs?: number): Promise<Timed> {
  const input = bareMetalConfigInput({
    name,
    endpoint: sandbox.boot.url,
    machines: machineSpecs(controllers, workers),
    sshKey: sandbox.identity.publicKey,
  });
  const configPath = await sandbox.writeConfig(`${name}.yaml`, input);
  const config = parsedConfig(input);
  const hosts = await sandbox.hostsFor(config);
  const args = ['--config', configPath, '--dir', join(sandbox.root, name)];
  const run = async (kill: KillSwitch | undefined): Promise<Timed> => {
    const phases = new Map<string, number>();
    let registeredAt: number | undefined;
    let deliveredAt: number | undefined;
    const started = performance.now();
    const result = await sandbox.install(hosts, config, args, (event: InstallEvent, child) => {
      kill?.observe(event, child);
      if (event.type === 'phase-succeeded') phases.set(event.phase, event.durationMs);
      if (event.type === 'phase-progress' && /registered with the boot server/.test(event.message))
        registeredAt ??= performance.now() - started;
      if (event.type === 'phase-progress' && /withheld file\(s\) delivered/.test(event.message))
        deliveredAt = performance.now() - started;
    });
    const ms = performance.now() - started;
    if (kill === undefined && result.code !== 0)
      throw new Error(`install failed (exit ${String(result.code)}):\n${result.stderr}`);
    if (kill !== undefined && kill.killed === undefined)
      throw new Error(`the install ended (exit ${String(result.code)}) before its kill:\n${result.stderr}`);
    return { ms, phases, registeredAt, deliveredAt, killed: kill?.killed };
  };
  if (killInProvisionAfterMs === undefined) return run(undefined);
  const killed = await run(new KillSwitch({ phase: 'provision', offsetMs: killInProvisionAfterMs, atMs: 0 }));
  const rerun = await run(undefined);
  return { ...rerun, killed: killed.killed === undefined ? undefined : { ...killed.killed, afterMs: killed.ms } };
}

async function destroy(name: string): Promise<number> {
  const started = performance.now();
  const destroyed = await sandbox.strata(['destroy', '--dir', join(sandbox.root, name), '--yes']);
  if (destroyed.code !== 0) throw new Error(`destroy failed (exit ${String(destroyed.code)}):\n${destroyed.stderr}`);
  // The next install's machines need the fixed addresses.
  await sandbox.powerOff();
  return performance.now() - started;
}

const report = (timed: Timed) => {
  for (const [phase, phaseMs] of timed.phases) say(`   ${phase.padEnd(11)} ${formatMs(phaseMs)}`);
  say(`   total       ${formatMs(timed.ms)} (the command, start to exit)`);
  say(
    `   machines registered (powered on) at ${formatMs(timed.registeredAt ?? 0)}; last controller's secrets delivered at ${formatMs(timed.deliveredAt ?? 0)}`,
  );
};

try {
  say(`\n1. bare-metal install, ${controllers} controller(s) and ${workers} workers on simulated machines, to Ready`);
  const fresh = await timedInstall('bench');
  report(fresh);
  say(`   destroy     ${formatMs(await destroy('bench'))}`);

  say(`\n2. kill -9 ${formatMs(killAfterMs)} into the provision phase, then install again`);
  const resumed = await timedInstall('resume', killAfterMs);
  const killed = resumed.killed;
  if (killed === undefined) throw new Error('the first run was not killed');
  say(
    `   killed in ${killed.phase ?? 'start-up'} ${formatMs(killed.intoPhaseMs)} into it, ${formatMs(killed.afterMs)} after the start`,
  );
  say('   the rerun:');
  report(resumed);
  const extra = killed.afterMs + resumed.ms - fresh.ms;
  // Negative when the two installs' noise (a shared machine's load) exceeds what the resume costs.
  say(
    `   extra time of the resume: ${extra < 0 ? `-${formatMs(-extra)}` : formatMs(extra)} (killed run + rerun − uninterrupted install)`,
  );
  say(`   destroy     ${formatMs(await destroy('resume'))}`);
} finally {
  await sandbox.cleanup();
}
