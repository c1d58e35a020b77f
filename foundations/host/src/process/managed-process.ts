import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { Socket } from 'node:net';
import { StrataError } from '@strata/api';
import { guardianHelloSchema, type GuardianSpec } from './guardian-spec.ts';

const GUARDIAN = fileURLToPath(new URL('./guardian.ts', import.meta.url));

/** Whether a command line (as /proc/<pid>/cmdline gives it) is a guardian's: `node <guardian.ts>`. */
export const isGuardianCommandLine = (argv: readonly string[]): boolean => argv[1] === GUARDIAN;

export interface ProcessSpec {
  /** A short name for messages, e.g. "etcd". */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** stdout and stderr of the component, appended. */
  readonly logFile: string;
  /** `cri`: each line as a timestamped record, as containerd writes container logs (see cri-log.ts). Default raw. */
  readonly logFormat?: 'raw' | 'cri';
  readonly gracePeriodMs?: number;
  readonly removeWhenOrphaned?: readonly string[];
  /**
   * Let this process exit while the component still runs: its guardian then
   * sees the pipe close and stops the component and cleans up, as after a crash.
   */
  readonly releaseWithParent?: boolean;
}

export interface ExitStatus {
  readonly code: number | null;
}

export class ComponentExitedError extends StrataError {}

/** Reads the last lines of a component's log, for error messages. */
export async function logTail(logFile: string, lines = 40): Promise<string> {
  try {
    const text = await readFile(logFile, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log was written)';
  }
}

/**
 * A component running under a guardian process (see guardian.ts), so that it
 * cannot outlive the process that started it.
 */
export class ManagedProcess {
  readonly spec: ProcessSpec;
  readonly exited: Promise<ExitStatus>;
  /** The component's own pid, known once the guardian has spawned it. */
  readonly pid: Promise<number>;
  readonly #guardian: ChildProcess;
  #exitStatus: ExitStatus | undefined;

  private constructor(spec: ProcessSpec) {
    this.spec = spec;
    const guardianSpec: GuardianSpec = {
      command: spec.command,
      args: [...spec.args],
      env: { ...pathOnly(), ...spec.env },
      logFile: spec.logFile,
      ...(spec.logFormat === undefined ? {} : { logFormat: spec.logFormat }),
      gracePeriodMs: spec.gracePeriodMs ?? 10_000,
      removeWhenOrphaned: [...(spec.removeWhenOrphaned ?? [])],
      ...(spec.cwd === undefined ? {} : { cwd: spec.cwd }),
    };
    mkdirSync(dirname(spec.logFile), { recursive: true });
    this.#guardian = spawn(process.execPath, [GUARDIAN], { stdio: ['pipe', 'pipe', 'inherit'] });
    // The spec (with the component's environment, Secret values included)
    // goes through the pipe, not the command line that every user can read in
    // /proc; the pipe then stays open as the guardian's tie to this process.
    const stdin = this.#guardian.stdin;
    if (stdin === null) throw new ComponentExitedError('guardian has no stdin', { component: spec.name });
    // EPIPE here means the guardian already died; its exit rejects `pid` and
    // resolves `exited`, which is how callers learn of it.
    stdin.on('error', (error) => {
      if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
    });
    stdin.write(JSON.stringify(guardianSpec) + '\n');
    if (spec.releaseWithParent) {
      this.#guardian.unref();
      for (const stream of [this.#guardian.stdin, this.#guardian.stdout]) (stream as Socket | null)?.unref();
    }
    this.exited = new Promise<ExitStatus>((resolve) => {
      this.#guardian.on('exit', (code) => {
        this.#exitStatus = { code };
        resolve(this.#exitStatus);
      });
    });
    this.pid = new Promise<number>((resolve, reject) => {
      const stdout = this.#guardian.stdout;
      if (stdout === null) throw new ComponentExitedError('guardian has no stdout', { component: spec.name });
      const lines = createInterface({ input: stdout });
      lines.once('line', (line) => {
        try {
          resolve(guardianHelloSchema.parse(JSON.parse(line)).pid);
        } catch (error) {
          reject(
            new ComponentExitedError(
              `${spec.name}: the guardian's first line is not its pid: ${line}`,
              { component: spec.name, line },
              { cause: error },
            ),
          );
        }
      });
      void this.exited.then(() =>
        reject(new ComponentExitedError(`${spec.name} exited before it started`, { component: spec.name })),
      );
    });
    // A caller that never asks for the pid must not see an unhandled rejection.
    this.pid.catch(() => undefined);
  }

  static start(spec: ProcessSpec): ManagedProcess {
    return new ManagedProcess(spec);
  }

  get running(): boolean {
    return this.#exitStatus === undefined;
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves when the component is gone. */
  async stop(): Promise<ExitStatus> {
    if (this.#exitStatus !== undefined) return this.#exitStatus;
    // A component released with its parent is unref'd: awaiting its stop at the end of a script would otherwise let
    // the event loop empty before the exit event (Node's "unsettled top-level await").
    this.#guardian.ref();
    this.#guardian.kill('SIGTERM');
    return this.exited;
  }

  async failure(reason: string): Promise<ComponentExitedError> {
    const tail = await logTail(this.spec.logFile);
    return new ComponentExitedError(`${this.spec.name} ${reason}. Last lines of ${this.spec.logFile}:\n${tail}`, {
      component: this.spec.name,
      logFile: this.spec.logFile,
      exitCode: this.#exitStatus?.code,
    });
  }
}

/**
 * Components get a minimal environment: PATH and HOME only, so that nothing
 * from the developer's shell (KUBECONFIG, proxies, ETCD_* variables) leaks in.
 */
function pathOnly(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR']) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}
