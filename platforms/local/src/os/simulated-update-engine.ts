// update_engine on a simulated machine: the shared state machine, with payload stages that take their time on
// timers instead of writing a /usr slot, and faults a test can arm. A source that serves real payloads (an Omaha
// server) still has its payload fetched and verified, at the end of the simulated download.
import { z } from 'zod';
import { ERROR_CODE } from '@strata/omaha';
import {
  DEFAULT_CHECK_TIMINGS,
  parseInput,
  StagedUpdateEngine,
  UpdateFailedError,
  type CheckTimings,
  type PayloadStages,
  type ProblemReporter,
  type UpdateCheckRequest,
  type UpdateSource,
} from '@strata/update-engine';
import { OsFaults, type UpdateFailureStage } from './faults.ts';

export interface SimulatedStageTimings {
  /** Progress signals while DOWNLOADING, each 1/downloadSteps further. */
  readonly downloadSteps: number;
  readonly downloadStepMs: number;
  readonly verifyMs: number;
  readonly finalizeMs: number;
}

export type UpdateEngineTimings = CheckTimings & SimulatedStageTimings;

/** update_engine's periodic checks, and steps in the low seconds so that a local cluster visibly downloads, verifies and finalizes. */
export const DEFAULT_UPDATE_ENGINE_TIMINGS: UpdateEngineTimings = {
  ...DEFAULT_CHECK_TIMINGS,
  downloadSteps: 5,
  downloadStepMs: 1_000,
  verifyMs: 1_000,
  finalizeMs: 1_000,
};

const duration = z.number().nonnegative();
const stageTimingsSchema = z.object({
  downloadSteps: z.number().int().positive(),
  downloadStepMs: duration,
  verifyMs: duration,
  finalizeMs: duration,
});

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

/** update_engine's state machine driven by an UpdateSource, with timers instead of a real payload's install. */
export class SimulatedUpdateEngine extends StagedUpdateEngine {
  readonly faults: OsFaults;

  constructor(options: SimulatedUpdateEngineOptions) {
    const faults = options.faults ?? new OsFaults();
    const { downloadSteps, downloadStepMs, verifyMs, finalizeMs, ...checkTimings } = options.timings ?? {};
    const stageTimings = parseInput(
      stageTimingsSchema,
      {
        downloadSteps: downloadSteps ?? DEFAULT_UPDATE_ENGINE_TIMINGS.downloadSteps,
        downloadStepMs: downloadStepMs ?? DEFAULT_UPDATE_ENGINE_TIMINGS.downloadStepMs,
        verifyMs: verifyMs ?? DEFAULT_UPDATE_ENGINE_TIMINGS.verifyMs,
        finalizeMs: finalizeMs ?? DEFAULT_UPDATE_ENGINE_TIMINGS.finalizeMs,
      },
      'update engine timings',
    );
    super({
      source: options.source,
      machine: options.machine,
      stages: simulatedStages(options.source, faults, stageTimings),
      timings: checkTimings,
      ...(options.random === undefined ? {} : { random: options.random }),
      ...(options.onProblem === undefined ? {} : { onProblem: options.onProblem }),
    });
    this.faults = faults;
  }

  failNextUpdate(reason: string, options: { readonly during?: UpdateFailureStage } = {}): void {
    this.faults.failNextUpdate(reason, options);
  }
}

function simulatedStages(source: UpdateSource, faults: OsFaults, timings: SimulatedStageTimings): PayloadStages {
  return {
    async download(offer, { pause, progress, signal }) {
      const { downloadSteps } = timings;
      const failure = faults.takeUpdateFailure('downloading');
      // A broken download is noticed partway, as a truncated or corrupted payload would be.
      const failingStep = Math.ceil(downloadSteps / 2);
      for (let step = 1; step <= downloadSteps; step += 1) {
        if (!(await pause(timings.downloadStepMs))) return false;
        if (failure !== undefined && step === failingStep)
          throw new UpdateFailedError(ERROR_CODE.downloadTransfer, failure.reason);
        if (step === downloadSteps && offer.payload !== undefined && source.download !== undefined)
          await source.download({ ...offer, payload: offer.payload }, { signal });
        progress(step / downloadSteps);
      }
      return true;
    },
    async verify(_offer, { pause }) {
      const failure = faults.takeUpdateFailure('verifying');
      if (!(await pause(timings.verifyMs))) return false;
      if (failure !== undefined) throw new UpdateFailedError(ERROR_CODE.newRootfsVerification, failure.reason);
      return true;
    },
    finalize: (_offer, { pause }) => pause(timings.finalizeMs),
  };
}
