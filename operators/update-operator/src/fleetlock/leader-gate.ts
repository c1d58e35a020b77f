// Both operator replicas serve FleetLock (the Service routes to either), but
// only the leader may grant: the standby answers every well-formed request
// with a retryable error naming the leader, and Zincati simply asks again,
// through the Service, until the leader answers.
import type { FleetLockClientParams } from './protocol.ts';
import { refuse, type FleetLockAnswer, type FleetLockCaller, type FleetLockHandler } from './server.ts';

export class LeaderGatedHandler implements FleetLockHandler {
  readonly #leader: () => string | undefined;
  #current: FleetLockHandler | undefined;

  /** `leader`: the replica this one last saw holding the lease, for the standby's answer. */
  constructor(leader: () => string | undefined) {
    this.#leader = leader;
  }

  /** The leading term's handler, or undefined while this replica does not lead. */
  set current(handler: FleetLockHandler | undefined) {
    this.#current = handler;
  }

  preReboot(client: FleetLockClientParams, caller: FleetLockCaller): Promise<FleetLockAnswer> {
    return this.#current?.preReboot(client, caller) ?? Promise.resolve(this.#notLeader());
  }

  steadyState(client: FleetLockClientParams, caller: FleetLockCaller): Promise<FleetLockAnswer> {
    return this.#current?.steadyState(client, caller) ?? Promise.resolve(this.#notLeader());
  }

  #notLeader(): FleetLockAnswer {
    const leader = this.#leader();
    return refuse(
      503,
      'not_leader',
      `this operator replica is a standby${leader === undefined ? '' : `; the leader is ${leader}`}; retry`,
    );
  }
}
