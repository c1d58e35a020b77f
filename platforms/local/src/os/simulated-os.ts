import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { OS_VERSION_FORMATS } from '@strata/assets';
import { CancellableDelays, type BootOutcome, type UpdateSource } from '@strata/update-engine';
import {
  ListenerFailedError,
  MachinePoweredOffError,
  parseInput,
  warnOnProblem,
  type ProblemReporter,
} from './errors.ts';
import { OsFaults, type RebootFailure } from './faults.ts';
import type { NodeOperatingSystem, OsRelease } from '@strata/api';
import { DEFAULT_FLATCAR_CODENAME, osRelease, type OsId } from './os-release.ts';
import { SimulatedUpdateEngine, type UpdateEngineTimings } from './simulated-update-engine.ts';

export interface SimulatedOsOptions {
  readonly id: OsId;
  /** "4230.2.3" for Flatcar, "42.20250901.3.0" for Fedora CoreOS. */
  readonly version: string;
  readonly updateSource: UpdateSource;
  /** Update group or stream; default "stable". */
  readonly group?: string;
  /** 32 lowercase hex digits as in /etc/machine-id; default random. */
  readonly machineId?: string;
  /** Flatcar's release codename in prettyName; default "Oklo". */
  readonly codename?: string;
  /** From down to booting; default 3000. */
  readonly rebootDelayMs?: number;
  readonly timings?: Partial<UpdateEngineTimings>;
  /** Source of update check jitter, in [0, 1). */
  readonly random?: () => number;
  /** Receives failed listeners; default a process warning on stderr. */
  readonly onProblem?: ProblemReporter;
}

export const DEFAULT_REBOOT_DELAY_MS = 3_000;

const optionsSchema = z
  .object({
    id: z.enum(['flatcar', 'fedora-coreos']),
    version: z.string(),
    group: z.string().min(1).default('stable'),
    machineId: z
      .string()
      .regex(/^[0-9a-f]{32}$/, 'must be 32 lowercase hex digits, as in /etc/machine-id')
      .optional(),
    codename: z.string().min(1).default(DEFAULT_FLATCAR_CODENAME),
    rebootDelayMs: z.number().nonnegative().default(DEFAULT_REBOOT_DELAY_MS),
  })
  .superRefine(({ id, version }, context) => {
    const { pattern, example } = OS_VERSION_FORMATS[id];
    if (!pattern.test(version)) {
      context.addIssue({ code: 'custom', path: ['version'], message: `is not a ${id} version, e.g. ${example}` });
    }
  });

/** Where the machine is in its power cycle. */
export type MachineState = 'up' | 'shutting-down' | 'down' | 'booting';

export type SlotName = 'A' | 'B';

/** The two USR partitions: the one booted and what each holds. */
export interface Slots {
  readonly active: SlotName;
  readonly A: string | undefined;
  readonly B: string | undefined;
}

/**
 * A Container Linux machine without the machine: an A/B-partitioned OS whose
 * update engine stages the next version on the passive partition, and whose
 * reboot makes that partition active. It starts up, as a node that has
 * already booted. Reboots, power-offs and power-ons are serialized: one
 * requested while another is under way joins or follows it.
 */
export class SimulatedOperatingSystem implements NodeOperatingSystem {
  readonly updateEngine: SimulatedUpdateEngine;
  readonly faults = new OsFaults();
  readonly machineId: string;
  readonly #id: OsId;
  readonly #group: string;
  readonly #codename: string;
  readonly #rebootDelayMs: number;
  readonly #onProblem: ProblemReporter;
  readonly #delays = new CancellableDelays();
  readonly #shutdownListeners = new Set<{ readonly listener: () => Promise<void> }>();
  readonly #bootListeners = new Set<{ readonly listener: () => Promise<void> }>();
  #version: string;
  #slots: Slots;
  #lastBoot: BootOutcome | undefined;
  #currentBootId = randomUUID();
  #state: MachineState = 'up';
  #inFlight: Promise<void> | undefined;
  /** Set while a machine that failed to come back waits for powerOn. */
  #pressPowerButton: (() => void) | undefined;

  constructor(options: SimulatedOsOptions) {
    const parsed = parseInput(optionsSchema, options, 'simulated OS options');
    this.#id = parsed.id;
    this.#version = parsed.version;
    this.#slots = { active: 'A', A: parsed.version, B: undefined };
    this.#group = parsed.group;
    this.#codename = parsed.codename;
    this.#rebootDelayMs = parsed.rebootDelayMs;
    this.machineId = parsed.machineId ?? randomBytes(16).toString('hex');
    this.#onProblem = options.onProblem ?? warnOnProblem;
    this.updateEngine = new SimulatedUpdateEngine({
      source: options.updateSource,
      machine: () => ({
        currentVersion: this.#version,
        group: this.#group,
        machineId: this.machineId,
        bootId: this.#currentBootId,
      }),
      faults: this.faults,
      onProblem: this.#onProblem,
      ...(options.timings === undefined ? {} : { timings: options.timings }),
      ...(options.random === undefined ? {} : { random: options.random }),
    });
    this.updateEngine.start();
  }

  release(): OsRelease {
    return osRelease(this.#id, this.#version, this.#group, this.#codename);
  }

  bootId(): string {
    return this.#currentBootId;
  }

  isUp(): boolean {
    return this.#state === 'up';
  }

  machineState(): MachineState {
    return this.#state;
  }

  /** Which partition is booted and which version each holds. */
  slots(): Slots {
    return this.#slots;
  }

  /** How the last boot into a new slot went; undefined before the first update. */
  lastBootOutcome(): BootOutcome | undefined {
    return this.#lastBoot;
  }

  onShutdown(listener: () => Promise<void>): () => void {
    return subscribe(this.#shutdownListeners, listener);
  }

  onBoot(listener: () => Promise<void>): () => void {
    return subscribe(this.#bootListeners, listener);
  }

  failNextReboot(failure: RebootFailure): void {
    this.faults.failNextReboot(failure);
  }

  /** Resolves once the machine is back up; a reboot requested meanwhile joins this one. */
  reboot(): Promise<void> {
    if (this.#inFlight !== undefined) {
      return this.#inFlight.then(() => (this.#state === 'up' ? undefined : Promise.reject(this.#poweredOff())));
    }
    if (this.#state !== 'up') {
      return Promise.reject(this.#poweredOff());
    }
    return this.#serialize(this.#runReboot());
  }

  /** Boots a machine that is off or that never came back from a reboot (whose reboot() then resolves). */
  powerOn(): Promise<void> {
    const press = this.#pressPowerButton;
    if (press !== undefined && this.#inFlight !== undefined) {
      this.#pressPowerButton = undefined;
      press();
      return this.#inFlight;
    }
    if (this.#inFlight !== undefined) {
      return this.#inFlight.then(() => this.powerOn());
    }
    return this.#state === 'up' ? Promise.resolve() : this.#serialize(this.#boot());
  }

  /** Shuts down gracefully (shutdown listeners run) and stays down until powerOn. */
  async powerOff(): Promise<void> {
    if (this.#pressPowerButton !== undefined) {
      return;
    }
    if (this.#inFlight !== undefined) {
      await this.#inFlight;
      return this.powerOff();
    }
    if (this.#state === 'up') {
      await this.#serialize(this.#shutDown());
    }
  }

  #serialize(work: Promise<void>): Promise<void> {
    const tracked = work.finally(() => {
      if (this.#inFlight === tracked) {
        this.#inFlight = undefined;
      }
    });
    this.#inFlight = tracked;
    return tracked;
  }

  async #runReboot(): Promise<void> {
    await this.#shutDown();
    if (this.faults.takeRebootFailure() === 'never-returns') {
      await new Promise<void>((resolve) => {
        this.#pressPowerButton = resolve;
      });
    } else {
      await this.#delays.wait(this.#rebootDelayMs);
    }
    await this.#boot();
  }

  /** The kubelet's graceful shutdown runs first; update_engine is among the last services to stop. */
  async #shutDown(): Promise<void> {
    this.#state = 'shutting-down';
    await this.#notify(this.#shutdownListeners, 'shutdown');
    this.updateEngine.stop();
    this.#state = 'down';
  }

  /**
   * The bootloader tries the partition an update wrote once; if it boots, it
   * becomes the active one and the staged version runs from here on. If it
   * fails, the bootloader falls back to the old partition, which still holds
   * the old version, and update_engine's next check reports the rollback.
   * The machine counts as up only once every boot listener has run, as systemd
   * reports a boot finished once its units started.
   */
  async #boot(): Promise<void> {
    this.#state = 'booting';
    const staged = this.updateEngine.stagedVersion();
    let outcome: BootOutcome | undefined;
    if (staged !== undefined) {
      const passive: SlotName = this.#slots.active === 'A' ? 'B' : 'A';
      this.#slots = { ...this.#slots, [passive]: staged };
      if (this.faults.takeNewSlotBootFailure()) {
        outcome = { kind: 'rolled-back', failedVersion: staged };
      } else {
        outcome = { kind: 'updated', previousVersion: this.#version };
        this.#slots = { ...this.#slots, active: passive };
        this.#version = staged;
      }
      this.#lastBoot = outcome;
    }
    this.#currentBootId = randomUUID();
    this.updateEngine.start(outcome);
    await this.#notify(this.#bootListeners, 'boot');
    this.#state = 'up';
  }

  async #notify(
    listeners: ReadonlySet<{ readonly listener: () => Promise<void> }>,
    event: 'shutdown' | 'boot',
  ): Promise<void> {
    let index = 0;
    for (const { listener } of [...listeners]) {
      try {
        await listener();
      } catch (error) {
        this.#onProblem(
          new ListenerFailedError(
            `a ${event} listener failed; the ${event} went on`,
            { event, index, machineId: this.machineId },
            { cause: error },
          ),
        );
      }
      index += 1;
    }
  }

  #poweredOff(): MachinePoweredOffError {
    return new MachinePoweredOffError('the machine is powered off; power it on instead of rebooting it', {
      machineId: this.machineId,
    });
  }
}

function subscribe<T>(listeners: Set<{ readonly listener: T }>, listener: T): () => void {
  const entry = { listener };
  listeners.add(entry);
  return () => {
    listeners.delete(entry);
  };
}
