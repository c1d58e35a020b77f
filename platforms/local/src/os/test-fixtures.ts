// Builders and clock helpers shared by this directory's tests.
import { mock } from 'node:test';
import type { StrataError } from '@strata/api';
import { SimulatedOperatingSystem, type SimulatedOsOptions } from './simulated-os.ts';
import {
  SimulatedUpdateEngine,
  type SimulatedUpdateEngineOptions,
  type UpdateEngineTimings,
} from './simulated-update-engine.ts';
import type { UpdateEngine, UpdateEngineStatus, UpdateStatus } from '@strata/api';
import type { UpdateCheckRequest } from '@strata/update-engine';
import type { ManualUpdateSource } from './update-source.ts';

export const FLATCAR = { current: '4230.2.3', next: '4230.2.4', later: '4459.0.0', codename: 'Oklo' } as const;
export const FEDORA_COREOS = { current: '42.20250901.3.0', next: '42.20250915.3.0' } as const;
export const MACHINE_ID = '0123456789abcdef0123456789abcdef';
export const UPDATE_SIZE = 284_000_000;
/** Where the mocked clock starts. */
export const NOW = new Date('2025-09-20T12:00:00Z');

/** Short steps, no periodic checks: a test drives checks with attemptUpdate unless it sets a schedule. */
export const TEST_TIMINGS: UpdateEngineTimings = {
  firstCheckDelayMs: Infinity,
  checkIntervalMs: Infinity,
  checkFuzzMs: 0,
  checkMs: 10,
  downloadSteps: 4,
  downloadStepMs: 10,
  verifyMs: 10,
  finalizeMs: 10,
  errorReportMs: 10,
  eventRetryDelayMs: 10,
  eventRetries: 3,
};

/** Every status of a successful update with TEST_TIMINGS, in order, as StatusUpdate signals carry them. */
export const HAPPY_PATH: readonly UpdateStatus[] = [
  'UPDATE_STATUS_CHECKING_FOR_UPDATE',
  'UPDATE_STATUS_UPDATE_AVAILABLE',
  ...Array<UpdateStatus>(TEST_TIMINGS.downloadSteps + 1).fill('UPDATE_STATUS_DOWNLOADING'),
  'UPDATE_STATUS_VERIFYING',
  'UPDATE_STATUS_FINALIZING',
  'UPDATE_STATUS_UPDATED_NEED_REBOOT',
];

export function machine(overrides: Partial<UpdateCheckRequest> = {}): UpdateCheckRequest {
  return { currentVersion: FLATCAR.current, group: 'stable', machineId: MACHINE_ID, ...overrides };
}

export function startedEngine(
  source: ManualUpdateSource,
  overrides: Partial<Omit<SimulatedUpdateEngineOptions, 'source'>> = {},
): SimulatedUpdateEngine {
  const engine = new SimulatedUpdateEngine({ source, machine: () => machine(), timings: TEST_TIMINGS, ...overrides });
  engine.start();
  return engine;
}

export function flatcarOs(
  source: ManualUpdateSource,
  overrides: Partial<SimulatedOsOptions> = {},
): SimulatedOperatingSystem {
  return new SimulatedOperatingSystem({
    id: 'flatcar',
    version: FLATCAR.current,
    machineId: MACHINE_ID,
    updateSource: source,
    rebootDelayMs: 100,
    timings: TEST_TIMINGS,
    ...overrides,
  });
}

/** Collects StatusUpdate signals. */
export function recordSignals(engine: UpdateEngine): {
  readonly signals: UpdateEngineStatus[];
  readonly operations: () => UpdateStatus[];
} {
  const signals: UpdateEngineStatus[] = [];
  engine.onStatusUpdate((status) => signals.push(status));
  return { signals, operations: () => signals.map((status) => status.currentOperation) };
}

/** Collects what the OS reports instead of letting it reach stderr. */
export function recordProblems(): {
  readonly problems: StrataError[];
  readonly onProblem: (problem: StrataError) => void;
} {
  const problems: StrataError[] = [];
  return { problems, onProblem: (problem) => problems.push(problem) };
}

export function useMockClock(): void {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: NOW });
}

/** Lets every pending promise continuation run; setImmediate is not mocked. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Advances the mocked clock a millisecond at a time, settling in between, so
 * that work scheduled by a continuation starts from the right time.
 */
export async function advance(ms: number): Promise<void> {
  await settle();
  for (let elapsed = 0; elapsed < ms; elapsed += 1) {
    mock.timers.tick(1);
    await settle();
  }
}

/** Advances the mocked clock until `condition` holds; fails after `limitMs` so that a broken machine cannot hang a test. */
export async function advanceUntil(condition: () => boolean, limitMs = 10_000): Promise<void> {
  await settle();
  for (let elapsed = 0; !condition(); elapsed += 1) {
    if (elapsed >= limitMs) {
      throw new Error(`condition still false after ${limitMs} ms of mocked time`);
    }
    mock.timers.tick(1);
    await settle();
  }
}

/** Runs `work` to completion on the mocked clock. */
export async function complete<T>(work: Promise<T>, limitMs = 10_000): Promise<T> {
  let done = false;
  const observed = work.finally(() => {
    done = true;
  });
  observed.catch(() => undefined);
  await advanceUntil(() => done, limitMs);
  return observed;
}

export async function updateStaged(engine: SimulatedUpdateEngine): Promise<void> {
  await engine.attemptUpdate();
  await advanceUntil(() => engine.stagedVersion() !== undefined);
}
