// Runs one component as a child and ties its life to the test process that
// started it. The parent keeps our stdin open; when the parent dies for any
// reason (a crash, a timeout, SIGKILL), stdin reaches end-of-file and we stop
// the component and remove the directories we were told to clean. Without
// this, a killed test run would leave etcd and kube-apiserver behind.
import { spawn } from 'node:child_process';
import { openSync, rmSync } from 'node:fs';
import { guardianSpecSchema } from './guardian-spec.ts';

const spec = guardianSpecSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
const log = openSync(spec.logFile, 'a');
const child = spawn(spec.command, spec.args, {
  cwd: spec.cwd,
  env: spec.env,
  stdio: ['ignore', log, log],
});

let stopping = false;
function stopChild(): void {
  if (stopping) return;
  stopping = true;
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), spec.gracePeriodMs).unref();
}

let orphaned = false;
child.on('error', (error) => {
  process.stderr.write(`cannot start ${spec.command}: ${error.message}\n`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  if (orphaned) {
    for (const dir of spec.removeWhenOrphaned) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  }
  // 128 + n is the shell's convention for "killed by signal n".
  const signals: Partial<Record<NodeJS.Signals, number>> = { SIGTERM: 15, SIGKILL: 9, SIGINT: 2 };
  process.exit(code ?? 128 + (signal === null ? 0 : (signals[signal] ?? 0)));
});

process.on('SIGTERM', stopChild);
process.on('SIGINT', stopChild);
process.stdin.on('end', () => {
  orphaned = true;
  stopChild();
});
process.stdin.resume();
process.stdout.write(JSON.stringify({ pid: child.pid }) + '\n');
