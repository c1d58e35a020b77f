import { z } from 'zod';
import { ERROR_CODE, EVENT_RESULT, EVENT_TYPE } from '@strata/omaha';
import { Backoff } from '@strata/kube';
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
import { OsFaults, type UpdateFailureStage } from './faults.ts';
import type { UpdateEngine, UpdateEngineStatus } from '@strata/api';
import type {
  BootOutcome,
  UpdateCheckRequest,
  UpdateOffer,
  UpdateProgressEvent,
  UpdateSource,
} from './update-source.ts';

export interface UpdateEngineTimings {
  /** From start (boot) to the first periodic check; Infinity for no periodic checks at all. */
  readonly firstCheckDelayMs: number;
  /** Between periodic checks; Infinity for only the first. */
  readonly checkIntervalMs: number;
  /** Each periodic delay lands uniformly within ±fuzz/2, so that a fleet does not check in lockstep. */
  readonly checkFuzzMs: number;
  /** How long CHECKING_FOR_UPDATE lasts before the source is asked. */
  readonly checkMs: number;
  /** Progress signals while DOWNLOADING, each 1/downloadSteps further. */
  readonly downloadSteps: number;
  readonly downloadStepMs: number;
  readonly verifyMs: number;
  readonly finalizeMs: number;
  /** How long REPORTING_ERROR_EVENT lasts before IDLE. */
  readonly errorReportMs: number;
  /**
   * An event that got no HTTP answer at all (the server down, e.g. while its own node reboots) is sent again after
   * this delay, doubling each time, up to eventRetries times; an HTTP answer, even an error, is never retried.
   */
  readonly eventRetryDelayMs: number;
  readonly eventRetries: number;
}

/**
 * Periodic checks as update_engine schedules them (first after 7 minutes, then
 * every 45, each ±5), and steps in the low seconds so that a local cluster
 * visibly downloads, verifies and finalizes.
 */
export const DEFAULT_UPDATE_ENGINE_TIMINGS: UpdateEngineTimings = {
  firstCheckDelayMs: 7 * 60_000,
  checkIntervalMs: 45 * 60_000,
  checkFuzzMs: 10 * 60_000,
  checkMs: 1_000,
  downloadSteps: 5,
  downloadStepMs: 1_000,
  verifyMs: 1_000,
  finalizeMs: 1_000,
  errorReportMs: 1_000,
  // 1 + 2 + 4 + 8 + 8 + 8 s: a server whose pod is rescheduled or whose node reboots is back within that.
  eventRetryDelayMs: 1_000,
  eventRetries: 6,
};

const duration = z.number().nonnegative();
const timingsSchema = z
  .object({
    firstCheckDelayMs: z.union([duration, z.literal(Infinity)]),
    checkIntervalMs: z.union([duration.positive(), z.literal(Infinity)]),
    checkFuzzMs: duration,
    checkMs: duration,
    downloadSteps: z.number().int().positive(),
    downloadStepMs: duration,
    verifyMs: duration,
    finalizeMs: duration,
    errorReportMs: duration,
    eventRetryDelayMs: duration.positive(),
    eventRetries: z.number().int().nonnegative(),
  })
  .partial();

/** The last attempt that ended in REPORTING_ERROR_EVENT. */
export interface UpdateFailure {
  readonly during: 'checking' | UpdateFailureStage;
  readonly reason: string;
  /** The version that failed; empty when the check itself failed. */
  readonly version: string;
  /** update_engine's code for it (flags included), as reported to the server. */
  readonly errorCode: number;
}

export interface SimulatedUpdateEngineOptions {
  readonly source: UpdateSource;
  /** Read at every check, because the running version changes at reboot. */
  readonly machine: () => UpdateCheckRequest;
  readonly timings?: Partial<UpdateEngineTimings>;
  /** Shared with the OS so that every armed fault is visible in one place. */
  readonly faults?: OsFaults;
  /** Source of check jitter, in [0, 1). */
  readonly random?: () => number;
  readonly onProblem?: ProblemReporter;
}

const IDLE_STATUS: UpdateEngineStatus = Object.freeze({
  lastCheckedTime: 0,
  progress: 0,
  currentOperation: 'UPDATE_STATUS_IDLE',
  newVersion: '',
  newSize: 0,
});

/**
 * update_engine's state machine, driven by an UpdateSource instead of an
 * Omaha server and by timers instead of a real payload. The OS starts it at
 * boot and stops it at shutdown; in between it checks periodically and on
 * AttemptUpdate, and once an update is staged it waits for the reboot.
 */
export class SimulatedUpdateEngine implements UpdateEngine {
  readonly faults: OsFaults;
  readonly #source: UpdateSource;
  readonly #machine: () => UpdateCheckRequest;
  readonly #timings: UpdateEngineTimings;
  readonly #random: () => number;
  readonly #onProblem: ProblemReporter;
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

  constructor(options: SimulatedUpdateEngineOptions) {
    this.#source = options.source;
    this.#machine = options.machine;
    this.#timings = {
      ...DEFAULT_UPDATE_ENGINE_TIMINGS,
      ...parseInput(timingsSchema, options.timings ?? {}, 'update engine timings'),
    };
    this.faults = options.faults ?? new OsFaults();
    this.#random = options.random ?? Math.random;
    this.#onProblem = options.onProblem ?? warnOnProblem;
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

  failNextUpdate(reason: string, options: { readonly during?: UpdateFailureStage } = {}): void {
    this.faults.failNextUpdate(reason, options);
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
    if (this.#lastBoot === lastBoot) this.#lastBoot = undefined;
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
    this.#publish({
      ...this.#status,
      lastCheckedTime,
      currentOperation: 'UPDATE_STATUS_UPDATE_AVAILABLE',
      newVersion: version,
      newSize: size,
    });

    this.#publish({ ...this.#status, currentOperation: 'UPDATE_STATUS_DOWNLOADING', progress: 0 });
    await report({ type: EVENT_TYPE.downloadStarted, result: EVENT_RESULT.success });
    const { downloadSteps } = this.#timings;
    const downloadFailure = this.faults.takeUpdateFailure('downloading');
    // A broken download is noticed partway, as a truncated or corrupted payload would be.
    const failingStep = Math.ceil(downloadSteps / 2);
    for (let step = 1; step <= downloadSteps; step += 1) {
      if (!(await pause(this.#timings.downloadStepMs))) {
        return;
      }
      if (downloadFailure !== undefined && step === failingStep) {
        await this.#fail({ ...downloadFailure, version, errorCode: ERROR_CODE.downloadTransfer }, pause, report);
        return;
      }
      if (step === downloadSteps && offer.payload !== undefined && this.#source.download !== undefined) {
        try {
          await this.#source.download({ ...offer, payload: offer.payload });
        } catch (error) {
          if (current())
            await this.#fail(
              { during: 'downloading', reason: reasonOf(error), version, errorCode: codeOf(error) },
              pause,
              report,
            );
          return;
        }
        if (!current()) return;
      }
      this.#publish({ ...this.#status, progress: step / downloadSteps });
    }
    await report({ type: EVENT_TYPE.downloadFinished, result: EVENT_RESULT.success });

    // update_engine resets progress once the download action completes.
    this.#publish({ ...this.#status, currentOperation: 'UPDATE_STATUS_VERIFYING', progress: 0 });
    const verifyFailure = this.faults.takeUpdateFailure('verifying');
    if (!(await pause(this.#timings.verifyMs))) {
      return;
    }
    if (verifyFailure !== undefined) {
      await this.#fail({ ...verifyFailure, version, errorCode: ERROR_CODE.newRootfsVerification }, pause, report);
      return;
    }
    this.#publish({ ...this.#status, currentOperation: 'UPDATE_STATUS_FINALIZING' });
    if (!(await pause(this.#timings.finalizeMs))) {
      return;
    }
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
