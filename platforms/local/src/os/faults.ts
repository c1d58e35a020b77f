/** Where an armed update failure strikes. */
export type UpdateFailureStage = 'downloading' | 'verifying';

export interface ArmedUpdateFailure {
  readonly reason: string;
  readonly during: UpdateFailureStage;
}

/** The machine goes down and stays down until someone powers it on. */
export type RebootFailure = 'never-returns';

export interface ArmedFaults {
  readonly update?: ArmedUpdateFailure;
  readonly reboot?: RebootFailure;
  /** The next boot of a newly installed slot fails, and the bootloader falls back to the old one. */
  readonly newSlotBoot?: 'fails';
}

/**
 * Every fault armed on one simulated machine, in one place so that a test can
 * see what is pending. Each fault fires once and is then disarmed.
 */
export class OsFaults {
  #update: ArmedUpdateFailure | undefined;
  #reboot: RebootFailure | undefined;
  #newSlotBoot: 'fails' | undefined;

  get armed(): ArmedFaults {
    return {
      ...(this.#update === undefined ? {} : { update: this.#update }),
      ...(this.#reboot === undefined ? {} : { reboot: this.#reboot }),
      ...(this.#newSlotBoot === undefined ? {} : { newSlotBoot: this.#newSlotBoot }),
    };
  }

  /** The next download (or, with `during: 'verifying'`, the next verification) fails with `reason`. */
  failNextUpdate(reason: string, options: { readonly during?: UpdateFailureStage } = {}): void {
    this.#update = { reason, during: options.during ?? 'downloading' };
  }

  failNextReboot(failure: RebootFailure): void {
    this.#reboot = failure;
  }

  /** The next boot into a newly installed version fails (a kernel panic, a unit that never starts). */
  failNextNewSlotBoot(): void {
    this.#newSlotBoot = 'fails';
  }

  disarm(): void {
    this.#update = undefined;
    this.#reboot = undefined;
    this.#newSlotBoot = undefined;
  }

  /** Fires on a boot into a new slot only; a plain reboot leaves it armed. */
  takeNewSlotBootFailure(): boolean {
    const armed = this.#newSlotBoot !== undefined;
    this.#newSlotBoot = undefined;
    return armed;
  }

  /** Fires the armed update failure if it was meant for `stage`. */
  takeUpdateFailure(stage: UpdateFailureStage): ArmedUpdateFailure | undefined {
    const armed = this.#update;
    if (armed?.during !== stage) {
      return undefined;
    }
    this.#update = undefined;
    return armed;
  }

  takeRebootFailure(): RebootFailure | undefined {
    const armed = this.#reboot;
    this.#reboot = undefined;
    return armed;
  }
}
