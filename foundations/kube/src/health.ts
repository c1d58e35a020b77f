export interface ProbeAnswer {
  readonly status: number;
  readonly body: string;
}

export interface HealthOptions {
  /** Whether this replica leads; shown by /readyz for people, never a reason to be unready. */
  readonly isLeader?: () => boolean;
}

/**
 * Liveness and readiness of an operator replica. It is live while the process
 * answers; ready only once the caller says so (informers synced), because a
 * standby is as ready to take over as the leader is to work.
 */
export class Health {
  readonly #isLeader: (() => boolean) | undefined;
  #ready = false;

  constructor(options: HealthOptions = {}) {
    this.#isLeader = options.isLeader;
  }

  get ready(): boolean {
    return this.#ready;
  }

  markReady(): void {
    this.#ready = true;
  }

  markNotReady(): void {
    this.#ready = false;
  }

  healthz(): ProbeAnswer {
    return { status: 200, body: 'ok\n' };
  }

  readyz(): ProbeAnswer {
    const leading = this.#isLeader === undefined ? '' : `leader: ${this.#isLeader() ? 'yes' : 'no'}\n`;
    return this.#ready ? { status: 200, body: `ok\n${leading}` } : { status: 503, body: `not ready\n${leading}` };
  }
}
