import { setTimeout as sleep } from 'node:timers/promises';
import { logTail, ManagedProcess, type ProcessSpec } from '@strata/host';
import { StrataError } from '@strata/api';
import { Backoff } from '@strata/kube';

export class CrashLoopError extends StrataError {}

export interface SupervisorEvents {
  /** A component exited and will be restarted after `delayMs`. */
  readonly onRestart?: (name: string, exitCode: number | null, delayMs: number, restarts: number) => void;
  /** A component crashed `restarts` times in a row: it is reported with the tail of its log and still retried. */
  readonly onCrashLoop?: (error: CrashLoopError) => void;
}

/** 1 s doubling to 30 s; running a minute means the last crash is forgotten, as the kubelet resets its back-off. */
const BACKOFF = { baseDelayMs: 1_000, maxDelayMs: 30_000, resetAfterMs: 60_000 };
const CRASH_LOOP_REPORT_AFTER = 3;

interface Supervised {
  readonly spec: ProcessSpec;
  current: ManagedProcess;
  restarts: number;
  stopped: boolean;
  loop: Promise<void>;
  /** Cuts a back-off wait short when the component is stopped. */
  readonly abort: AbortController;
}

/**
 * Runs components as a kubelet runs static pods: each is restarted when it
 * exits, with exponential back-off (1 s doubling to 30 s, reset after a minute
 * of running), and each writes its log to its own file.
 */
export class Supervisor {
  readonly #components = new Map<string, Supervised>();
  readonly #events: SupervisorEvents;

  constructor(events: SupervisorEvents = {}) {
    this.#events = events;
  }

  start(spec: ProcessSpec): ManagedProcess {
    if (this.#components.has(spec.name))
      throw new StrataError(`component ${spec.name} is already supervised`, { component: spec.name });
    const supervised: Supervised = {
      spec,
      current: ManagedProcess.start(spec),
      restarts: 0,
      stopped: false,
      loop: Promise.resolve(),
      abort: new AbortController(),
    };
    supervised.loop = this.#watch(supervised);
    this.#components.set(spec.name, supervised);
    return supervised.current;
  }

  /** The live process of a component (it changes at every restart). */
  process(name: string): ManagedProcess | undefined {
    return this.#components.get(name)?.current;
  }

  restarts(name: string): number {
    return this.#components.get(name)?.restarts ?? 0;
  }

  async #watch(supervised: Supervised): Promise<void> {
    const backoff = new Backoff(BACKOFF);
    for (;;) {
      const startedAt = Date.now();
      const status = await supervised.current.exited;
      if (supervised.stopped) return;
      const delayMs = backoff.next(Date.now() - startedAt);
      const consecutive = backoff.failures;
      supervised.restarts += 1;
      this.#events.onRestart?.(supervised.spec.name, status.code, delayMs, supervised.restarts);
      if (consecutive === CRASH_LOOP_REPORT_AFTER) {
        this.#events.onCrashLoop?.(
          new CrashLoopError(
            `${supervised.spec.name} keeps crashing (${consecutive} times in a row, last exit code ${String(status.code)}). Last lines of ${supervised.spec.logFile}:\n${await logTail(supervised.spec.logFile)}`,
            { component: supervised.spec.name, logFile: supervised.spec.logFile, exitCode: status.code },
          ),
        );
      }
      await sleep(delayMs, undefined, { signal: supervised.abort.signal }).catch(() => undefined);
      if (supervised.stopped) return;
      supervised.current = ManagedProcess.start(supervised.spec);
    }
  }

  /** Stops the named components (all when none given), in the order given. */
  async stop(names: readonly string[] = [...this.#components.keys()].reverse()): Promise<void> {
    for (const name of names) {
      const supervised = this.#components.get(name);
      if (supervised === undefined) continue;
      supervised.stopped = true;
      supervised.abort.abort();
      await supervised.current.stop();
      await supervised.loop;
      this.#components.delete(name);
    }
  }
}
