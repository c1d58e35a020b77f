// One simulated bare-metal machine: it network-boots from the boot server,
// applies the installed system's Ignition config to its own root directory,
// and (a controller) starts sshd and waits for the secrets the boot server
// withheld. What it then runs is the runner's job (control plane, kubelet).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { applyIgnition, type AppliedIgnition } from './apply-ignition.ts';
import { missingComponentFiles } from './component-files.ts';
import { MachineBootError, MachineStopError } from './errors.ts';
import { netboot, type NetbootResult } from './netboot.ts';
import { startMachineSshd, type MachineSshd } from './sshd.ts';

export type MachineRole = 'controller' | 'worker';

export type SimulatedMachineState =
  | { readonly phase: 'off' }
  | { readonly phase: 'booting' }
  | { readonly phase: 'installing' }
  | { readonly phase: 'waiting-for-secrets'; readonly missing: readonly string[] }
  /** Every file its components read is there; no runner was given. */
  | { readonly phase: 'installed' }
  | { readonly phase: 'running' }
  | { readonly phase: 'failed'; readonly reason: string; readonly error: unknown }
  | { readonly phase: 'stopped' };

/** What runs on a machine once its files are complete; `stop` ends all of it. */
export interface MachineRun {
  stop(): Promise<void>;
}

export type MachineRunner = (machine: SimulatedMachine) => Promise<MachineRun>;

export interface SimulatedMachineOptions {
  readonly name: string;
  /** Any common notation; iPXE reports it in lower-case colon form. */
  readonly mac: string;
  readonly role: MachineRole;
  /** The machine's own address (a loopback address here): where its sshd and components listen. */
  readonly address: string;
  readonly bootServerUrl: string;
  /** The machine's directory: `root/` is its disk, the rest its runtime state (sshd config, logs). */
  readonly dir: string;
  readonly sshPort?: number;
  readonly runner?: MachineRunner;
  readonly onState?: (machine: SimulatedMachine, state: SimulatedMachineState) => void;
  /** How often a controller looks for its delivered files. */
  readonly secretsPollMs?: number;
}

const normalizeMac = (mac: string): string => mac.toLowerCase().replaceAll('-', ':');

/** A stable SMBIOS UUID per MAC, so that every boot of a machine reports the same one. */
function uuidOf(mac: string): string {
  const hex = createHash('sha256').update(mac).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export class SimulatedMachine {
  readonly name: string;
  readonly mac: string;
  readonly uuid: string;
  readonly role: MachineRole;
  readonly address: string;
  readonly root: string;
  readonly stateDir: string;
  readonly #options: SimulatedMachineOptions;
  readonly #abort = new AbortController();
  #state: SimulatedMachineState = { phase: 'off' };
  #sshd: MachineSshd | undefined;
  #run: MachineRun | undefined;
  #boot: NetbootResult | undefined;
  #applied: AppliedIgnition | undefined;
  #done: Promise<void> = Promise.resolve();

  constructor(options: SimulatedMachineOptions) {
    this.#options = options;
    this.name = options.name;
    this.mac = normalizeMac(options.mac);
    this.uuid = uuidOf(this.mac);
    this.role = options.role;
    this.address = options.address;
    this.stateDir = options.dir;
    this.root = join(options.dir, 'root');
  }

  get state(): SimulatedMachineState {
    return this.#state;
  }

  /** The boot chain's result (kernel arguments, the configs' URLs), once booted. */
  get boot(): NetbootResult | undefined {
    return this.#boot;
  }

  get applied(): AppliedIgnition | undefined {
    return this.#applied;
  }

  /** The controller's sshd, once it listens. */
  get sshd(): MachineSshd | undefined {
    return this.#sshd;
  }

  #set(state: SimulatedMachineState): void {
    this.#state = state;
    this.#options.onState?.(this, state);
  }

  /** Powers the machine on; the returned promise settles when it runs or has failed (the state says which). */
  powerOn(): Promise<void> {
    if (this.#state.phase !== 'off')
      throw new MachineBootError(`${this.name} is already powered on (${this.#state.phase})`, { machine: this.name });
    this.#done = this.#lifecycle().catch((error: unknown) => {
      if (this.#state.phase === 'stopped') return;
      const reason = error instanceof Error ? error.message : String(error);
      this.#set({ phase: 'failed', reason, error });
    });
    return this.#done;
  }

  async #lifecycle(): Promise<void> {
    const signal = this.#abort.signal;
    this.#set({ phase: 'booting' });
    const boot = await netboot(
      this.#options.bootServerUrl,
      { mac: this.mac, uuid: this.uuid },
      { onInstalling: () => this.#set({ phase: 'installing' }) },
      signal,
    );
    this.#boot = boot;
    // The "reboot" into the installed system: Ignition runs on its first boot.
    this.#applied = await applyIgnition(boot.installed, this.root, boot.installedConfigUrl);
    if (this.role === 'controller') {
      this.#sshd = await startMachineSshd({
        machine: this.name,
        root: this.root,
        stateDir: this.stateDir,
        address: this.address,
        port: this.#options.sshPort ?? 22,
      });
      await this.#waitForSecrets(signal);
    }
    if (signal.aborted) return;
    const runner = this.#options.runner;
    if (runner === undefined) {
      this.#set({ phase: 'installed' });
      return;
    }
    this.#run = await runner(this);
    if (signal.aborted) {
      await this.#run.stop();
      return;
    }
    this.#set({ phase: 'running' });
  }

  async #waitForSecrets(signal: AbortSignal): Promise<void> {
    let reported = '';
    for (;;) {
      const missing = await missingComponentFiles(this.root);
      if (missing.length === 0 || signal.aborted) return;
      const key = missing.join('\n');
      if (key !== reported) {
        reported = key;
        this.#set({ phase: 'waiting-for-secrets', missing });
      }
      await sleep(this.#options.secretsPollMs ?? 200, undefined, { signal }).catch(() => undefined);
    }
  }

  /** Powers the machine off: what runs on it stops, sshd too. Its root stays. */
  async stop(): Promise<void> {
    const wasRunning = this.#state.phase !== 'off';
    this.#set({ phase: 'stopped' });
    this.#abort.abort();
    if (wasRunning) await this.#done;
    const failures: unknown[] = [];
    for (const part of [this.#run, this.#sshd]) {
      try {
        await part?.stop();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0)
      throw new MachineStopError(
        `${this.name}: ${failures.length} part(s) did not stop`,
        { machine: this.name },
        { cause: failures[0] },
      );
  }
}
