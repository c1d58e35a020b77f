import { randomUUID } from 'node:crypto';
import type { NodeOperatingSystem, OsRelease } from '@strata/api';
import type { UpdateEngine, UpdateEngineStatus } from '@strata/api';

/**
 * TEST DOUBLE of a node's operating system, for the node's own tests: a
 * Flatcar machine that is up until told to reboot, runs a version staged with
 * stageVersion at its next boot, and never updates by itself. The local
 * platform's real one is SimulatedOperatingSystem in ../os/.
 */
export class FakeOperatingSystem implements NodeOperatingSystem {
  readonly updateEngine: UpdateEngine = idleUpdateEngine();
  #release: OsRelease;
  #staged: OsRelease | undefined;
  #bootId = randomUUID();
  #up = true;
  readonly #shutdownListeners = new Set<() => Promise<void>>();
  readonly #bootListeners = new Set<() => Promise<void>>();

  constructor(version = '4230.2.3', kernelVersion = '6.6.95-flatcar') {
    this.#release = flatcarRelease(version, kernelVersion);
  }

  release(): OsRelease {
    return this.#release;
  }

  bootId(): string {
    return this.#bootId;
  }

  isUp(): boolean {
    return this.#up;
  }

  onShutdown(listener: () => Promise<void>): () => void {
    this.#shutdownListeners.add(listener);
    return () => this.#shutdownListeners.delete(listener);
  }

  onBoot(listener: () => Promise<void>): () => void {
    this.#bootListeners.add(listener);
    return () => this.#bootListeners.delete(listener);
  }

  /** As update_engine would after downloading an update: the next boot runs this version. */
  stageVersion(version: string, kernelVersion: string): void {
    this.#staged = flatcarRelease(version, kernelVersion);
  }

  async reboot(): Promise<void> {
    await this.shutDown();
    await this.boot();
  }

  /** The first half of a reboot, for tests that look at the node while its machine is down. */
  async shutDown(): Promise<void> {
    for (const listener of [...this.#shutdownListeners]) await listener();
    this.#up = false;
  }

  async boot(): Promise<void> {
    this.#release = this.#staged ?? this.#release;
    this.#staged = undefined;
    this.#bootId = randomUUID();
    for (const listener of [...this.#bootListeners]) await listener();
    this.#up = true;
  }
}

function flatcarRelease(version: string, kernelVersion: string): OsRelease {
  return {
    id: 'flatcar',
    version,
    prettyName: `Flatcar Container Linux by Kinvolk ${version} (Oklo)`,
    kernelVersion,
    group: 'stable',
  };
}

function idleUpdateEngine(): UpdateEngine {
  const status: UpdateEngineStatus = {
    lastCheckedTime: 0,
    progress: 0,
    currentOperation: 'UPDATE_STATUS_IDLE',
    newVersion: '',
    newSize: 0,
  };
  return {
    getStatus: () => Promise.resolve(status),
    onStatusUpdate: () => () => undefined,
    attemptUpdate: () => Promise.resolve(),
  };
}
