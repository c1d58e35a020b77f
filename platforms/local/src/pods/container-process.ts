// One run of a container: a ManagedProcess (so that it dies with us) in a
// process group of its own. A container runtime sends SIGTERM to the
// container's main process only, and at the end of the grace period kills
// everything in the container's cgroup; the process group stands in for the
// cgroup, so that `sh -c 'a & b'` leaves nothing behind.
import { accessSync, constants } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ManagedProcess, type ExitStatus } from '@strata/host';

export interface ContainerProcessSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly logFile: string;
  /** How long the guardian waits between SIGTERM and SIGKILL if this process of ours dies. */
  readonly orphanGracePeriodMs: number;
  readonly removeWhenOrphaned: readonly string[];
}

let setsidPath: string | null | undefined;

/** util-linux's setsid, which puts the program in a new session and process group and then execs it, keeping its pid. */
function findSetsid(): string | null {
  if (setsidPath !== undefined) return setsidPath;
  setsidPath = null;
  for (const candidate of ['/usr/bin/setsid', '/bin/setsid']) {
    try {
      accessSync(candidate, constants.X_OK);
      setsidPath = candidate;
      break;
    } catch {
      // Try the next place.
    }
  }
  return setsidPath;
}

function signal(target: number, name: NodeJS.Signals): void {
  try {
    process.kill(target, name);
  } catch {
    // ESRCH: already gone.
  }
}

export class ContainerProcess {
  readonly pid: Promise<number>;
  readonly exited: Promise<ExitStatus>;
  readonly #process: ManagedProcess;
  /** Without setsid the process shares our group, which we must never signal. */
  readonly #ownGroup: boolean;

  private constructor(spec: ContainerProcessSpec) {
    const setsid = findSetsid();
    this.#ownGroup = setsid !== null;
    this.#process = ManagedProcess.start({
      name: spec.name,
      command: setsid ?? spec.command,
      args: setsid === null ? [...spec.args] : [spec.command, ...spec.args],
      env: spec.env,
      cwd: spec.cwd,
      logFile: spec.logFile,
      // Timestamped records, as containerd writes them: what `kubectl logs --since` and `--timestamps` need.
      logFormat: 'cri',
      gracePeriodMs: spec.orphanGracePeriodMs,
      removeWhenOrphaned: spec.removeWhenOrphaned,
    });
    this.pid = this.#process.pid;
    this.exited = this.#process.exited.then(async (status) => {
      // The main process is gone: as when a container's init exits, nothing of it may stay.
      await this.#killGroup();
      return status;
    });
  }

  static start(spec: ContainerProcessSpec): ContainerProcess {
    return new ContainerProcess(spec);
  }

  get running(): boolean {
    return this.#process.running;
  }

  /** SIGTERM to the main process; after `gracePeriodMs`, SIGKILL to the whole group. */
  async terminate(gracePeriodMs: number): Promise<ExitStatus> {
    if (!this.#process.running) return this.exited;
    let pid: number;
    try {
      pid = await this.#process.pid;
    } catch {
      return this.exited;
    }
    signal(pid, 'SIGTERM');
    const timer = sleep(gracePeriodMs, 'grace period over' as const, { ref: false });
    if ((await Promise.race([this.exited, timer])) === 'grace period over') {
      signal(pid, 'SIGKILL');
      if (this.#ownGroup) signal(-pid, 'SIGKILL');
    }
    return this.exited;
  }

  async #killGroup(): Promise<void> {
    if (!this.#ownGroup) return;
    const pid = await this.#process.pid.catch(() => undefined);
    if (pid !== undefined) signal(-pid, 'SIGKILL');
  }
}
