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
import { openSync, rmSync, writeSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { CriLineWriter, type CriStream } from './cri-log.ts';
import { guardianSpecSchema, type GuardianSpec } from './guardian-spec.ts';

/** After the component exits, how long its output pipes may still deliver what it wrote (a child holding them open must not keep us). */
const OUTPUT_DRAIN_MS = 200;

let child: ChildProcess | undefined;
const writers: CriLineWriter[] = [];
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
  const cri = spec.logFormat === 'cri';
  const started = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    stdio: cri ? ['ignore', 'pipe', 'pipe'] : ['ignore', log, log],
  });
  child = started;
  const drained = cri ? timestampOutput(started, log) : Promise.resolve();
  started.on('error', (error) => {
    process.stderr.write(`cannot start ${spec.command}: ${error.message}\n`);
    process.exit(127);
  });
  started.on('exit', (code, signal) => {
    void Promise.race([drained, new Promise((resolve) => setTimeout(resolve, OUTPUT_DRAIN_MS))]).then(() =>
      finish(spec, code, signal),
    );
  });
  process.on('SIGTERM', () => stopChild(spec.gracePeriodMs));
  process.on('SIGINT', () => stopChild(spec.gracePeriodMs));
  process.stdout.write(JSON.stringify({ pid: started.pid }) + '\n');
}

/** Writes the component's stdout and stderr into the log as CRI records; resolves when both pipes have ended. */
function timestampOutput(started: ChildProcess, log: number): Promise<void> {
  const pipes: [CriStream, Readable | null][] = [
    ['stdout', started.stdout],
    ['stderr', started.stderr],
  ];
  return Promise.all(
    pipes.map(
      ([name, pipe]) =>
        new Promise<void>((resolve) => {
          if (pipe === null) return resolve();
          const writer = new CriLineWriter(name, (record) => writeSync(log, record));
          writers.push(writer);
          pipe.on('data', (chunk: Buffer) => writer.push(chunk));
          pipe.on('close', () => {
            writer.flush();
            resolve();
          });
        }),
    ),
  ).then(() => undefined);
}

function finish(spec: GuardianSpec, code: number | null, signal: NodeJS.Signals | null): void {
  // A line a pipe still held (a child of the component keeps it open) is written as it is.
  for (const writer of writers) writer.flush();
  if (orphaned) {
    for (const dir of spec.removeWhenOrphaned) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  }
  // 128 + n is the shell's convention for "killed by signal n".
  const signals: Partial<Record<NodeJS.Signals, number>> = { SIGTERM: 15, SIGKILL: 9, SIGINT: 2 };
  process.exit(code ?? 128 + (signal === null ? 0 : (signals[signal] ?? 0)));
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
