// Runs one component as a child and ties its life to the test process that
// started it. The parent keeps our stdin open; when the parent dies for any
// reason (a crash, a timeout, SIGKILL), stdin reaches end-of-file and we stop
// the component and remove the directories we were told to clean. Without
// this, a killed test run would leave etcd and kube-apiserver behind.
//
// The spec arrives as the first line on that same stdin, never on our command
// line: it carries the component's environment, Secret values included, and
// any user of the host can read any process's /proc/<pid>/cmdline.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, rmSync } from 'node:fs';
import { guardianSpecSchema, type GuardianSpec } from './guardian-spec.ts';

let child: ChildProcess | undefined;
let stopping = false;
let orphaned = false;

function parseSpec(line: string): GuardianSpec {
  try {
    return guardianSpecSchema.parse(JSON.parse(line));
  } catch (error) {
    process.stderr.write(`guardian: the first line on stdin is not a spec: ${String(error)}\n`);
    process.exit(2);
  }
}

function start(spec: GuardianSpec): void {
  const log = openSync(spec.logFile, 'a');
  const started = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    stdio: ['ignore', log, log],
  });
  child = started;
  started.on('error', (error) => {
    process.stderr.write(`cannot start ${spec.command}: ${error.message}\n`);
    process.exit(127);
  });
  started.on('exit', (code, signal) => {
    if (orphaned) {
      for (const dir of spec.removeWhenOrphaned) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    }
    // 128 + n is the shell's convention for "killed by signal n".
    const signals: Partial<Record<NodeJS.Signals, number>> = { SIGTERM: 15, SIGKILL: 9, SIGINT: 2 };
    process.exit(code ?? 128 + (signal === null ? 0 : (signals[signal] ?? 0)));
  });
  process.on('SIGTERM', () => stopChild(spec.gracePeriodMs));
  process.on('SIGINT', () => stopChild(spec.gracePeriodMs));
  process.stdout.write(JSON.stringify({ pid: started.pid }) + '\n');
}

function stopChild(gracePeriodMs: number): void {
  if (stopping || child === undefined) return;
  stopping = true;
  child.kill('SIGTERM');
  const running = child;
  setTimeout(() => running.kill('SIGKILL'), gracePeriodMs).unref();
}

// Until the spec has arrived there is no component: a signal or a closed pipe
// simply ends us (the default for SIGTERM and SIGINT, which start() overrides).
let pending = '';
let spec: GuardianSpec | undefined;
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  if (spec !== undefined) return;
  pending += chunk;
  const newline = pending.indexOf('\n');
  if (newline === -1) return;
  spec = parseSpec(pending.slice(0, newline));
  pending = '';
  start(spec);
});
process.stdin.on('end', () => {
  if (spec === undefined) {
    process.stderr.write('guardian: stdin closed before a spec arrived\n');
    process.exit(2);
  }
  orphaned = true;
  stopChild(spec.gracePeriodMs);
});
process.stdin.resume();
