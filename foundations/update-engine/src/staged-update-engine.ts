// update_engine's state machine: periodic checks with jitter and AttemptUpdate, the statuses GetStatus and
// StatusUpdate carry, the events its server hears (with retries for an event that got no answer), and how the last
// boot went. What an update's payload takes (downloading, verifying, finalizing) is the stages' business: timers on
// the local platform's simulated machines, a real download and a /usr slot's install on Strata's node image.
import { z } from 'zod';
import { ERROR_CODE, EVENT_RESULT, EVENT_TYPE } from '@strata/omaha';
import { Backoff } from '@strata/kube';
import type { UpdateEngine, UpdateEngineStatus } from '@strata/api';
import { CancellableDelays } from './delays.ts';
import {
  EventReportFailedError,
  ListenerFailedError,
  parseInput,
  UpdateEngineUnavailableError,
  UpdateFailedError,
  warnOnProblem,
  type ProblemReporter,
} from './errors.ts';
import type {
  BootOutcome,
  UpdateCheckRequest,
  UpdateOffer,
  UpdateProgressEvent,
  UpdateSource,
} from './update-source.ts';

export interface CheckTimings {
  /** From start (boot) to the first periodic check; Infinity for no periodic checks at all. */
  readonly firstCheckDelayMs: number;
  /** Between periodic checks; Infinity for only the first. */
  readonly checkIntervalMs: number;
  /** Each periodic delay lands uniformly within ±fuzz/2, so that a fleet does not check in lockstep. */
  readonly checkFuzzMs: number;
  /** How long CHECKING_FOR_UPDATE lasts before the source is asked. */
  readonly checkMs: number;
  /** How long REPORTING_ERROR_EVENT lasts before IDLE. */
  readonly errorReportMs: number;
  /**
   * An event that got no HTTP answer at all (the server down, e.g. while its own node reboots) is sent again after
   * this delay, doubling each time, up to eventRetries times; an HTTP answer, even an error, is never retried.
   */
  readonly eventRetryDelayMs: number;
  readonly eventRetries: number;
}

/** Periodic checks as update_engine schedules them: first after 7 minutes, then every 45, each ±5. */
export const DEFAULT_CHECK_TIMINGS: CheckTimings = {
  firstCheckDelayMs: 7 * 60_000,
  checkIntervalMs: 45 * 60_000,
  checkFuzzMs: 10 * 60_000,
  checkMs: 1_000,
  errorReportMs: 1_000,
  // 1 + 2 + 4 + 8 + 8 + 8 s: a server whose pod is rescheduled or whose node reboots is back within that.
  eventRetryDelayMs: 1_000,
  eventRetries: 6,
};

const duration = z.number().nonnegative();
const checkTimingsSchema = z
  .object({
    firstCheckDelayMs: z.union([duration, z.literal(Infinity)]),
    checkIntervalMs: z.union([duration.positive(), z.literal(Infinity)]),
    checkFuzzMs: duration,
    checkMs: duration,
    errorReportMs: duration,
    eventRetryDelayMs: duration.positive(),
    eventRetries: z.number().int().nonnegative(),
  })
  .partial();

/** Where in an update cycle it went wrong. */
export type UpdateStage = 'checking' | 'downloading' | 'verifying' | 'finalizing';

/** The last attempt that ended in REPORTING_ERROR_EVENT. */
export interface UpdateFailure {
  readonly during: UpdateStage;
  readonly reason: string;
  /** The version that failed; empty when the check itself failed. */
  readonly version: string;
  /** update_engine's code for it (flags included), as reported to the server. */
  readonly errorCode: number;
}

/** What a payload stage may do besides its work. */
export interface StageContext {
  /** Publishes the stage's progress, 0 to 1, in a StatusUpdate. */
  readonly progress: (fraction: number) => void;
  /** Resolves true after `ms`, false once the engine stopped meanwhile. */
  readonly pause: (ms: number) => Promise<boolean>;
  /** Aborted when the engine stops (the machine shuts down). */
  readonly signal: AbortSignal;
}

/**
 * What an offered update's payload takes, in update_engine's three statuses. Each resolves true when done, false when
 * the engine stopped meanwhile (the cycle then ends without a word), and rejects when the update failed: an
 * `UpdateFailedError` carries update_engine's code for the 3/0 event, anything else reports the generic code.
 */
export interface PayloadStages {
  download(offer: UpdateOffer, context: StageContext): Promise<boolean>;
  verify(offer: UpdateOffer, context: StageContext): Promise<boolean>;
  finalize(offer: UpdateOffer, context: StageContext): Promise<boolean>;
}

export interface StagedUpdateEngineOptions {
  readonly source: UpdateSource;
  /** Read at every check, because the running version changes at reboot. */
  readonly machine: () => UpdateCheckRequest;
  readonly stages: PayloadStages;
  readonly timings?: Partial<CheckTimings>;
  /** Source of check jitter, in [0, 1). */
  readonly random?: () => number;
  readonly onProblem?: ProblemReporter;
  /** Called once a check has carried the last boot's outcome to the server (a daemon may then forget it). */
  readonly onLastBootReported?: (outcome: BootOutcome) => void;
}

const IDLE_STATUS: UpdateEngineStatus = Object.freeze({
  lastCheckedTime: 0,
  progress: 0,
  currentOperation: 'UPDATE_STATUS_IDLE',
  newVersion: '',
  newSize: 0,
});

/**
 * update_engine's state machine. Its owner starts it at boot and stops it at shutdown; in between it checks
 * periodically and on AttemptUpdate, runs an offered update's payload through its stages, and once an update is
 * staged it waits for the reboot.
 */
export class StagedUpdateEngine implements UpdateEngine {
  readonly #source: UpdateSource;
  readonly #machine: () => UpdateCheckRequest;
  readonly #stages: PayloadStages;
  readonly #timings: CheckTimings;
  readonly #random: () => number;
  readonly #onProblem: ProblemReporter;
  readonly #onLastBootReported: ((outcome: BootOutcome) => void) | undefined;
  readonly #delays = new CancellableDelays();
  readonly #listeners = new Set<{ readonly listener: (status: UpdateEngineStatus) => void }>();
  readonly #undelivered: UpdateEngineStatus[] = [];
  #delivering = false;
  #status: UpdateEngineStatus = IDLE_STATUS;
  #failure: UpdateFailure | undefined;
  #running = false;
  /** How the boot went, until a check has carried it to the server. */
  #lastBoot: BootOutcome | undefined;
  /** Bumped at every start and stop, so that work begun before a shutdown notices it is stale. */
  #generation = 0;
  /** Aborted at every stop, for stages whose work is not a pause (a download, a command). */
  #lifetime = new AbortController();

  constructor(options: StagedUpdateEngineOptions) {
    this.#source = options.source;
    this.#machine = options.machine;
    this.#stages = options.stages;
    this.#timings = {
      ...DEFAULT_CHECK_TIMINGS,
      ...parseInput(checkTimingsSchema, options.timings ?? {}, 'update engine timings'),
    };
    this.#random = options.random ?? Math.random;
    this.#onProblem = options.onProblem ?? warnOnProblem;
    this.#onLastBootReported = options.onLastBootReported;
  }

  getStatus(): Promise<UpdateEngineStatus> {
    return this.#whenRunning(() => this.#status);
  }

  onStatusUpdate(listener: (status: UpdateEngineStatus) => void): () => void {
    const entry = { listener };
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  /** Like the real AttemptUpdate it returns once the check has begun, and does nothing unless IDLE. */
  attemptUpdate(): Promise<void> {
    return this.#whenRunning(() => this.#beginCycle());
  }

  lastFailure(): UpdateFailure | undefined {
    return this.#failure;
  }

  isRunning(): boolean {
    return this.#running;
  }

  /** The version the passive partition holds, ready for the next boot. */
  stagedVersion(): string | undefined {
    return this.#status.currentOperation === 'UPDATE_STATUS_UPDATED_NEED_REBOOT' ? this.#status.newVersion : undefined;
  }

  /**
   * The daemon starts at boot as a fresh process: IDLE, never checked. The
   * OS tells it how the boot went (the new slot came up, or the bootloader
   * fell back), which its next check reports.
   */
  start(lastBoot?: BootOutcome): void {
    if (this.#running) {
      return;
    }
    this.#running = true;
    if (lastBoot !== undefined) this.#lastBoot = lastBoot;
    this.#generation += 1;
    this.#lifetime = new AbortController();
    if (!isSameStatus(this.#status, IDLE_STATUS)) {
      this.#publish(IDLE_STATUS);
    }
    void this.#checkPeriodically(this.#generation);
  }

  /** The daemon is killed at shutdown: whatever it was doing is abandoned. */
  stop(): void {
    this.#running = false;
    this.#generation += 1;
    this.#delays.cancelAll();
    this.#lifetime.abort(new UpdateEngineUnavailableError('update_engine stopped', { service: 'com.coreos.update1' }));
  }

  #whenRunning<T>(call: () => T): Promise<T> {
    if (!this.#running) {
      return Promise.reject(
        new UpdateEngineUnavailableError('update_engine is not running: the machine is down', {
          service: 'com.coreos.update1',
        }),
      );
    }
    return Promise.resolve(call());
  }

  async #checkPeriodically(generation: number): Promise<void> {
    let delay = this.#timings.firstCheckDelayMs;
    while (Number.isFinite(delay)) {
      const fuzz = this.#timings.checkFuzzMs;
      const elapsed = await this.#delays.wait(Math.max(1, delay - fuzz / 2 + this.#random() * fuzz), {
        background: true,
      });
      if (!elapsed || generation !== this.#generation) {
        return;
      }
      this.#beginCycle();
      delay = this.#timings.checkIntervalMs;
    }
  }

  #beginCycle(): void {
    if (this.#status.currentOperation === 'UPDATE_STATUS_IDLE') {
      void this.#runCycle(this.#generation);
    }
  }

  /** One check and, when there is an update, its download through to UPDATED_NEED_REBOOT. Never rejects. */
  async #runCycle(generation: number): Promise<void> {
    const current = (): boolean => generation === this.#generation;
    const pause = async (ms: number): Promise<boolean> => (await this.#delays.wait(ms)) && current();

    this.#publish({ ...this.#status, currentOperation: 'UPDATE_STATUS_CHECKING_FOR_UPDATE', progress: 0 });
    if (!(await pause(this.#timings.checkMs))) {
      return;
    }
    const lastBoot = this.#lastBoot;
    const request: UpdateCheckRequest = { ...this.#machine(), ...(lastBoot === undefined ? {} : { lastBoot }) };
    let offer: UpdateOffer | undefined;
    try {
      offer = await this.#source.check(request);
    } catch (error) {
      if (current()) {
        // Its error event goes out once: the server that did not answer the check is not waited for.
        await this.#fail(
          { during: 'checking', reason: reasonOf(error), version: '', errorCode: codeOf(error) },
          pause,
          (event) => this.#report(this.#machine(), event, { retries: 0 }),
        );
      }
      return;
    }
    // The server has heard how the boot went; later checks carry the plain 3/2.
    if (lastBoot !== undefined && this.#lastBoot === lastBoot) {
      this.#lastBoot = undefined;
      this.#onLastBootReported?.(lastBoot);
    }
    if (!current()) {
      return;
    }
    const report = (event: UpdateProgressEvent) => this.#report({ ...this.#machine() }, event);
    const lastCheckedTime = Math.floor(Date.now() / 1000);
    if (offer === undefined) {
      this.#publish({ ...IDLE_STATUS, lastCheckedTime });
      return;
    }
    const { version, size } = offer;
    // A const for the stages' closures, where a let's narrowing does not reach.
    const update: UpdateOffer = offer;
    this.#publish({
      ...this.#status,
      lastCheckedTime,
      currentOperation: 'UPDATE_STATUS_UPDATE_AVAILABLE',
      newVersion: version,
      newSize: size,
    });

    const context: StageContext = {
      progress: (fraction) => {
        if (current()) this.#publish({ ...this.#status, progress: fraction });
      },
      pause,
      signal: this.#lifetime.signal,
    };
    // A stage that throws after the engine stopped was cut off by the stop: nothing to report.
    const run = async (stage: Exclude<UpdateStage, 'checking'>, work: () => Promise<boolean>): Promise<boolean> => {
      try {
        return (await work()) && current();
      } catch (error) {
        if (current())
          await this.#fail(
            { during: stage, reason: reasonOf(error), version, errorCode: codeOf(error) },
            pause,
            report,
          );
        return false;
      }
    };

    this.#publish({ ...this.#status, currentOperation: 'UPDATE_STATUS_DOWNLOADING', progress: 0 });
    await report({ type: EVENT_TYPE.downloadStarted, result: EVENT_RESULT.success });
    if (!(await run('downloading', () => this.#stages.download(update, context)))) return;
    await report({ type: EVENT_TYPE.downloadFinished, result: EVENT_RESULT.success });

    // update_engine resets progress once the download action completes.
    this.#publish({ ...this.#status, currentOperation: 'UPDATE_STATUS_VERIFYING', progress: 0 });
    if (!(await run('verifying', () => this.#stages.verify(update, context)))) return;
    this.#publish({ ...this.#status, currentOperation: 'UPDATE_STATUS_FINALIZING' });
    if (!(await run('finalizing', () => this.#stages.finalize(update, context)))) return;
    // update_engine's last action posts the 3/1 event, and only when every action is done does its status become
    // UPDATED_NEED_REBOOT: a reboot, which that status lets the update operator begin, never cuts the event off.
    await report({ type: EVENT_TYPE.updateComplete, result: EVENT_RESULT.success });
    if (!current()) return;
    this.#publish({ ...this.#status, currentOperation: 'UPDATE_STATUS_UPDATED_NEED_REBOOT' });
  }

  async #fail(
    failure: UpdateFailure,
    pause: (ms: number) => Promise<boolean>,
    report: (event: UpdateProgressEvent) => Promise<void>,
  ): Promise<void> {
    this.#failure = failure;
    this.#publish({ ...this.#status, currentOperation: 'UPDATE_STATUS_REPORTING_ERROR_EVENT', progress: 0 });
    await report({ type: EVENT_TYPE.updateComplete, result: EVENT_RESULT.error, errorCode: failure.errorCode });
    if (await pause(this.#timings.errorReportMs)) {
      this.#publish({ ...IDLE_STATUS, lastCheckedTime: this.#status.lastCheckedTime });
    }
  }

  /**
   * An event the server cannot take is reported as a problem; the update goes on, as update_engine's does. One that
   * got no answer at all is sent again first (ADR 0060), so that a server that restarts mid-update still hears it.
   */
  async #report(
    request: UpdateCheckRequest,
    event: UpdateProgressEvent,
    { retries = this.#timings.eventRetries }: { readonly retries?: number } = {},
  ): Promise<void> {
    if (this.#source.report === undefined) return;
    const backOff = new Backoff({
      baseDelayMs: this.#timings.eventRetryDelayMs,
      maxDelayMs: this.#timings.eventRetryDelayMs * 8,
    });
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#source.report(request, event);
        return;
      } catch (error) {
        const unanswered = codeOf(error) === ERROR_CODE.omahaRequestError;
        // A stopped engine (shutdown, reboot) cancels the wait: the event is then reported as lost.
        if (unanswered && attempt < retries && (await this.#delays.wait(backOff.next()))) continue;
        this.#onProblem(
          new EventReportFailedError(
            `update_engine could not report event ${event.type}/${event.result}` +
              `${attempt > 0 ? ` after ${attempt + 1} attempts` : ''}: ${reasonOf(error)}`,
            { event, machineId: request.machineId },
            { cause: error },
          ),
        );
        return;
      }
    }
  }

  /**
   * Signals go out in order even when a listener's reaction changes the state
   * again (say, AttemptUpdate on IDLE): later signals wait for earlier ones.
   */
  #publish(status: UpdateEngineStatus): void {
    this.#status = Object.freeze({ ...status });
    this.#undelivered.push(this.#status);
    if (this.#delivering) {
      return;
    }
    this.#delivering = true;
    try {
      for (let next = this.#undelivered.shift(); next !== undefined; next = this.#undelivered.shift()) {
        for (const { listener } of [...this.#listeners]) {
          try {
            listener(next);
          } catch (error) {
            this.#onProblem(
              new ListenerFailedError(
                'a StatusUpdate listener threw; the update engine carried on',
                { event: 'status-update', status: next },
                { cause: error },
              ),
            );
          }
        }
      }
    } finally {
      this.#delivering = false;
    }
  }
}

function isSameStatus(a: UpdateEngineStatus, b: UpdateEngineStatus): boolean {
  return (
    a.lastCheckedTime === b.lastCheckedTime &&
    a.progress === b.progress &&
    a.currentOperation === b.currentOperation &&
    a.newVersion === b.newVersion &&
    a.newSize === b.newSize
  );
}

/** update_engine's code for a failure: the source's own, or the generic one. */
function codeOf(error: unknown): number {
  return error instanceof UpdateFailedError ? error.errorCode : ERROR_CODE.error;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
