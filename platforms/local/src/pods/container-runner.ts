import { open, rename } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  V1Container,
  V1ContainerState,
  V1ContainerStateTerminated,
  V1ContainerStatus,
} from '@kubernetes/client-node';
import { SECRET_FILE_MODE, writeFileAtomic } from '@strata/host';
import { Backoff, type BackoffOptions } from '@strata/kube';
import type { CommandLine } from './container-command.ts';
import { containerLogTail } from './container-log.ts';
import { ContainerProcess } from './container-process.ts';
import { ImageTagRefusedError } from './image-map.ts';
import type { ProbeTarget } from './probe-checks.ts';
import { ProbeWorker, type Check, type ProbeKind } from './probes.ts';

/** Everything needed to run one container, worked out once when the pod starts. */
export interface ContainerPlan {
  readonly container: V1Container;
  readonly imageID: string;
  /** The program, or why there is none (the kubelet's StartError). */
  readonly commandLine: CommandLine | Error;
  /** The process's whole environment. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly logFile: string;
  /** The file the container's terminationMessagePath names (rewritten as a mount is); read when it ends. */
  readonly terminationMessageFile?: string;
  readonly probeTarget: ProbeTarget;
}

export type ContainerRestartPolicy = 'Always' | 'OnFailure' | 'Never';

export interface ContainerRunnerOptions {
  readonly plan: ContainerPlan;
  readonly restartPolicy: ContainerRestartPolicy;
  readonly backOff: BackoffOptions;
  /** "namespace/name", for messages. */
  readonly podName: string;
  /** The pod's terminationGracePeriodSeconds in ms: used when a probe kills the container, and by the guardian if we die. */
  readonly gracePeriodMs: number;
  readonly removeWhenOrphaned: readonly string[];
  /** Restarts an earlier incarnation of this pod already made (after a node reboot). */
  readonly initialRestartCount: number;
  readonly onChange: () => void;
  readonly check?: Check;
}

interface Terminated {
  readonly exitCode: number;
  readonly reason: string;
  readonly message?: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly containerID?: string;
}

type State =
  | { readonly kind: 'waiting'; readonly reason: string; readonly message?: string }
  | { readonly kind: 'running'; readonly startedAt: Date; readonly containerID: string }
  | ({ readonly kind: 'terminated' } & Terminated);

/** The kubelet's limits: 4096 bytes of a termination log; 80 lines or 2048 bytes of log as the fallback. */
const MAX_TERMINATION_MESSAGE_BYTES = 4096;
const FALLBACK_LOG_LINES = 80;
const FALLBACK_LOG_BYTES = 2048;

async function readHead(path: string, bytes: number): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * What the kubelet puts in `terminated.message`: the termination log, or with `FallbackToLogsOnError` and a failed
 * container whose termination log is empty, the end of its log.
 */
async function terminationMessage(plan: ContainerPlan, exitCode: number): Promise<string | undefined> {
  if (plan.terminationMessageFile === undefined) return undefined;
  let written: string;
  try {
    written = await readHead(plan.terminationMessageFile, MAX_TERMINATION_MESSAGE_BYTES);
  } catch (error) {
    // The container removed its termination log: it said nothing.
    if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
    written = '';
  }
  if (written !== '') return written;
  if (exitCode === 0 || plan.container.terminationMessagePolicy !== 'FallbackToLogsOnError') return undefined;
  let message: string;
  try {
    message = await containerLogTail(plan.logFile, FALLBACK_LOG_LINES, FALLBACK_LOG_BYTES);
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return undefined;
    throw error;
  }
  return message === '' ? undefined : message;
}

/** Where the log of a container's run before the current one is kept, as the kubelet keeps one previous log. */
export const previousLogFile = (logFile: string): string => logFile.replace(/\.log$/, '') + '.previous.log';

/** Each run writes a log of its own: the last run's (even an empty one) becomes the previous log, an older one is dropped. */
async function keepAsPrevious(logFile: string): Promise<void> {
  try {
    await rename(logFile, previousLogFile(logFile));
  } catch (error) {
    // The first run: there is no log yet.
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return;
    throw error;
  }
}

/** The kubelet's exit code for a container that could not be started. */
const START_ERROR_EXIT_CODE = 128;

function terminatedState(terminated: Terminated): V1ContainerStateTerminated {
  return {
    exitCode: terminated.exitCode,
    reason: terminated.reason,
    startedAt: terminated.startedAt,
    finishedAt: terminated.finishedAt,
    ...(terminated.message === undefined ? {} : { message: terminated.message }),
    ...(terminated.containerID === undefined ? {} : { containerID: terminated.containerID }),
  };
}

/**
 * Runs one container of a pod: starts its process, runs its probes, and
 * restarts it per the restart policy with the kubelet's back-off, until
 * it is stopped or has terminated for good.
 */
export class ContainerRunner {
  readonly name: string;
  /** Resolves when the container has terminated for good or was stopped, with its last exit code. */
  readonly finished: Promise<number | undefined>;
  /** Resolves true once the container has started (its startup probe passed), false if it never will. */
  readonly started: Promise<boolean>;
  readonly #options: ContainerRunnerOptions;
  readonly #backOff: Backoff;
  readonly #abort = new AbortController();
  #state: State = { kind: 'waiting', reason: 'ContainerCreating' };
  #lastTerminated: Terminated | undefined;
  #restartCount: number;
  #process: ContainerProcess | undefined;
  #probes = new Map<ProbeKind, ProbeWorker>();
  #hasStarted = false;
  #killedBecause: string | undefined;
  #stopping = false;
  #resolveStarted: (started: boolean) => void = () => undefined;

  private constructor(options: ContainerRunnerOptions) {
    this.#options = options;
    this.name = options.plan.container.name;
    this.#restartCount = options.initialRestartCount;
    this.#backOff = new Backoff(options.backOff);
    this.started = new Promise((resolve) => (this.#resolveStarted = resolve));
    // Deferred a tick, so that the caller holds the runner before its first change is announced.
    this.finished = Promise.resolve()
      .then(() => this.#loop())
      .finally(() => this.#resolveStarted(false));
  }

  static start(options: ContainerRunnerOptions): ContainerRunner {
    return new ContainerRunner(options);
  }

  /** Running, started, and ready by its readiness probe if it has one. */
  get ready(): boolean {
    if (this.#state.kind !== 'running' || !this.#hasStarted) return false;
    const readiness = this.#probes.get('readiness');
    return readiness === undefined
      ? this.#options.plan.container.readinessProbe === undefined
      : readiness.healthy === true;
  }

  /**
   * The file `kubectl logs` reads, as the kubelet picks the container: the running or terminated one, else (in
   * back-off) the one that ended last; with `previous`, the one before the current. Its log is the current file
   * until the next run starts, which moves it to the previous file. `running` tells a follower when to stop.
   */
  logOf(
    previous: boolean,
  ):
    | { readonly file: string; readonly running: () => boolean }
    | { readonly problem: 'no-previous' }
    | { readonly problem: 'waiting'; readonly reason: string } {
    const { logFile } = this.#options.plan;
    const state = this.#state;
    const done = { file: logFile, running: () => false };
    if (previous) {
      if (this.#lastTerminated === undefined) return { problem: 'no-previous' };
      return state.kind === 'waiting' ? done : { file: previousLogFile(logFile), running: () => false };
    }
    if (state.kind !== 'waiting') return { file: logFile, running: () => this.#state.kind === 'running' };
    if (this.#lastTerminated !== undefined) return done;
    return { problem: 'waiting', reason: state.reason };
  }

  /** Whether the container has run at least once or was refused a start. */
  get everRan(): boolean {
    return this.#state.kind !== 'waiting' || this.#lastTerminated !== undefined;
  }

  status(): V1ContainerStatus {
    const { plan } = this.#options;
    let state: V1ContainerState;
    let containerID: string | undefined;
    switch (this.#state.kind) {
      case 'waiting':
        state = {
          waiting: {
            reason: this.#state.reason,
            ...(this.#state.message === undefined ? {} : { message: this.#state.message }),
          },
        };
        containerID = this.#lastTerminated?.containerID;
        break;
      case 'running':
        state = { running: { startedAt: this.#state.startedAt } };
        containerID = this.#state.containerID;
        break;
      case 'terminated':
        state = { terminated: terminatedState(this.#state) };
        containerID = this.#state.containerID;
        break;
    }
    return {
      name: this.name,
      image: plan.container.image ?? '',
      imageID: plan.imageID,
      ...(containerID === undefined ? {} : { containerID }),
      ready: this.ready,
      started: this.#state.kind === 'running' && this.#hasStarted,
      restartCount: this.#restartCount,
      state,
      lastState: this.#lastTerminated === undefined ? {} : { terminated: terminatedState(this.#lastTerminated) },
    };
  }

  /** SIGTERM, the grace period, SIGKILL; no restart afterwards. */
  async stop(gracePeriodMs: number): Promise<void> {
    this.#stopping = true;
    this.#abort.abort();
    this.#stopProbes();
    await this.#process?.terminate(gracePeriodMs);
    await this.finished;
  }

  async #loop(): Promise<number | undefined> {
    let lastExit: number | undefined;
    while (!this.#stopping) {
      const terminated = await this.#runOnce();
      lastExit = terminated.exitCode;
      const restart =
        !this.#stopping &&
        (this.#options.restartPolicy === 'Always' ||
          (this.#options.restartPolicy === 'OnFailure' && terminated.exitCode !== 0));
      if (!restart) {
        this.#state = { kind: 'terminated', ...terminated };
        this.#options.onChange();
        break;
      }
      this.#lastTerminated = terminated;
      const delay = this.#backOff.next(terminated.finishedAt.getTime() - terminated.startedAt.getTime());
      this.#state = {
        kind: 'waiting',
        reason: 'CrashLoopBackOff',
        message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${this.name} pod=${this.#options.podName}`,
      };
      this.#options.onChange();
      try {
        await sleep(delay, undefined, { signal: this.#abort.signal });
      } catch {
        break;
      }
      this.#restartCount++;
    }
    return lastExit;
  }

  async #runOnce(): Promise<Terminated> {
    const { plan } = this.#options;
    const startedAt = new Date();
    if (plan.commandLine instanceof Error) {
      return {
        exitCode: START_ERROR_EXIT_CODE,
        // An image tag with no local program is what a registry without that tag is to the kubelet.
        reason: plan.commandLine instanceof ImageTagRefusedError ? 'ErrImagePull' : 'StartError',
        message: plan.commandLine.message,
        startedAt,
        finishedAt: new Date(),
      };
    }
    this.#killedBecause = undefined;
    // Each run of the container starts with an empty termination log, as the kubelet's fresh file per container.
    if (plan.terminationMessageFile !== undefined)
      await writeFileAtomic(plan.terminationMessageFile, '', SECRET_FILE_MODE);
    // stop() may have come during that write, when there was no process yet for it to terminate: start none.
    if (this.#stopping) {
      return {
        exitCode: START_ERROR_EXIT_CODE,
        reason: 'StartError',
        message: 'the pod was stopped before the container started',
        startedAt,
        finishedAt: new Date(),
      };
    }
    await keepAsPrevious(plan.logFile);
    const process = ContainerProcess.start({
      name: `${this.#options.podName}/${this.name}`,
      command: plan.commandLine.command,
      args: plan.commandLine.args,
      env: plan.env,
      cwd: plan.cwd,
      logFile: plan.logFile,
      orphanGracePeriodMs: this.#options.gracePeriodMs,
      removeWhenOrphaned: this.#options.removeWhenOrphaned,
    });
    this.#process = process;
    let containerID: string | undefined;
    try {
      const pid = await process.pid;
      containerID = `strata://${pid}`;
      this.#state = { kind: 'running', startedAt, containerID };
      this.#startProbes();
      this.#options.onChange();
    } catch {
      // It exited before it began; its exit code below says why.
    }
    const exit = await process.exited;
    this.#stopProbes();
    this.#process = undefined;
    const exitCode = exit.code ?? START_ERROR_EXIT_CODE;
    const message = this.#killedBecause ?? (await terminationMessage(plan, exitCode));
    return {
      exitCode,
      reason: exitCode === 0 ? 'Completed' : 'Error',
      ...(message === undefined ? {} : { message }),
      startedAt,
      finishedAt: new Date(),
      ...(containerID === undefined ? {} : { containerID }),
    };
  }

  #startProbes(): void {
    const { container } = this.#options.plan;
    this.#hasStarted = false;
    if (container.startupProbe !== undefined) {
      this.#startProbe('startup', (healthy) => {
        if (!healthy) return this.#kill('startup');
        this.#probes.get('startup')?.stop();
        this.#markStarted();
      });
    } else {
      this.#markStarted();
    }
  }

  #markStarted(): void {
    this.#hasStarted = true;
    this.#resolveStarted(true);
    const { container } = this.#options.plan;
    if (container.readinessProbe !== undefined) this.#startProbe('readiness', () => this.#options.onChange());
    if (container.livenessProbe !== undefined) {
      this.#startProbe('liveness', (healthy) => {
        if (!healthy) this.#kill('liveness');
      });
    }
    this.#options.onChange();
  }

  #startProbe(kind: ProbeKind, onChange: (healthy: boolean) => void): void {
    const { container } = this.#options.plan;
    const probe = {
      startup: container.startupProbe,
      readiness: container.readinessProbe,
      liveness: container.livenessProbe,
    }[kind];
    if (probe === undefined) return;
    const worker = new ProbeWorker({
      kind,
      probe,
      target: this.#options.plan.probeTarget,
      onChange: (healthy) => {
        if (!this.#stopping) onChange(healthy);
      },
      ...(this.#options.check === undefined ? {} : { check: this.#options.check }),
    });
    this.#probes.set(kind, worker);
    worker.start();
  }

  #stopProbes(): void {
    for (const worker of this.#probes.values()) worker.stop();
    this.#probes.clear();
  }

  /** A failed liveness or startup probe: the kubelet kills the container and lets the restart policy decide. */
  #kill(kind: 'startup' | 'liveness'): void {
    const message = this.#probes.get(kind)?.message ?? '';
    this.#killedBecause = `${kind} probe failed${message === '' ? '' : `: ${message}`}`;
    this.#stopProbes();
    const probe =
      kind === 'startup' ? this.#options.plan.container.startupProbe : this.#options.plan.container.livenessProbe;
    const seconds = probe?.terminationGracePeriodSeconds;
    void this.#process?.terminate(seconds === undefined ? this.#options.gracePeriodMs : seconds * 1000);
  }
}
