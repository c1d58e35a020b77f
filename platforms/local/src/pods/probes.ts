import type { V1Probe } from '@kubernetes/client-node';
import { runCheck, type CheckResult, type ProbeTarget } from './probe-checks.ts';

export type ProbeKind = 'startup' | 'readiness' | 'liveness';

export interface ProbeTiming {
  readonly initialDelayMs: number;
  readonly periodMs: number;
  readonly timeoutMs: number;
  readonly successThreshold: number;
  readonly failureThreshold: number;
}

const positive = (value: number | undefined, fallback: number): number =>
  value !== undefined && value > 0 ? value : fallback;

/** The probe's timing with the API server's defaults filled in (a pod built in code may leave them out). */
export function probeTiming(probe: V1Probe, kind: ProbeKind): ProbeTiming {
  return {
    initialDelayMs: Math.max(0, probe.initialDelaySeconds ?? 0) * 1000,
    periodMs: positive(probe.periodSeconds, 10) * 1000,
    timeoutMs: positive(probe.timeoutSeconds, 1) * 1000,
    // Liveness and startup probes must succeed once; validation forbids anything else.
    successThreshold: kind === 'readiness' ? positive(probe.successThreshold, 1) : 1,
    failureThreshold: positive(probe.failureThreshold, 3),
  };
}

export type Check = (probe: V1Probe, target: ProbeTarget, timeoutMs: number) => Promise<CheckResult>;

export interface ProbeWorkerOptions {
  readonly kind: ProbeKind;
  readonly probe: V1Probe;
  readonly target: ProbeTarget;
  /** Called when the probe's verdict changes, with the run that changed it. */
  readonly onChange: (healthy: boolean, result: CheckResult) => void;
  readonly check?: Check;
}

/**
 * Runs one probe of one container instance as the kubelet's probe worker does:
 * first after the initial delay, then every period; the verdict flips only
 * after `successThreshold` successes or `failureThreshold` failures in a row.
 * The verdict starts unknown (undefined): not ready, not yet started, alive.
 */
export class ProbeWorker {
  readonly kind: ProbeKind;
  readonly timing: ProbeTiming;
  readonly #options: ProbeWorkerOptions;
  readonly #check: Check;
  #verdict: boolean | undefined;
  #lastResult: boolean | undefined;
  #run = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #lastMessage = '';

  constructor(options: ProbeWorkerOptions) {
    this.#options = options;
    this.kind = options.kind;
    this.timing = probeTiming(options.probe, options.kind);
    this.#check = options.check ?? runCheck;
  }

  get healthy(): boolean | undefined {
    return this.#verdict;
  }

  /** The message of the latest run, e.g. why it failed. */
  get message(): string {
    return this.#lastMessage;
  }

  start(): void {
    this.#schedule(this.timing.initialDelayMs);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#probeOnce(), delayMs);
  }

  async #probeOnce(): Promise<void> {
    const startedAt = Date.now();
    const result = await this.#check(this.#options.probe, this.#options.target, this.timing.timeoutMs);
    if (this.#stopped) return;
    this.#lastMessage = result.message;
    this.#run = result.success === this.#lastResult ? this.#run + 1 : 1;
    this.#lastResult = result.success;
    const threshold = result.success ? this.timing.successThreshold : this.timing.failureThreshold;
    if (this.#run >= threshold && this.#verdict !== result.success) {
      this.#verdict = result.success;
      this.#options.onChange(result.success, result);
    }
    this.#schedule(Math.max(0, this.timing.periodMs - (Date.now() - startedAt)));
  }
}
