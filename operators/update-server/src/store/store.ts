// The runtime store: machines and their history. Channels and groups are
// configuration and live elsewhere; this holds what machines reported.
import type { CheckDecision, RolloutQuery, RolloutStats } from '../policy/decide.ts';
import type { StateChange } from '../policy/events.ts';
import type { MachineState, MachineView } from '../policy/machine.ts';

export interface MachineRecord extends MachineView {
  readonly machineId: string;
  readonly alias: string;
  readonly track: string;
  readonly currentVersion: string;
  readonly holdReason: string | undefined;
  readonly lastErrorCode: number | undefined;
  readonly lastCheckAt: Date;
}

export interface HistoryEntry {
  readonly machineId: string;
  readonly at: Date;
  readonly state: MachineState;
  /** The version the entry is about: the target of a grant or hold, the running one of a completion. */
  readonly version: string;
  /** The hold reason, or the base error code of an error ("44 rollback"). */
  readonly detail: string;
}

/** Who checked in, with what; the same for events and checks. */
export interface MachineIdentity {
  readonly machineId: string;
  readonly alias: string;
  readonly track: string;
  readonly version: string;
  readonly now: Date;
}

export interface CheckRequest extends MachineIdentity {
  /**
   * The policy. Called once without rollout stats; if it answers
   * `needs-rollout`, called again inside a transaction that holds the group's
   * lock, with the stats counted there, so concurrent checks never exceed a limit.
   */
  readonly decide: (machine: MachineView | undefined, rollout: RolloutStats | undefined) => CheckDecision;
}

export type FinalDecision = Exclude<CheckDecision, { kind: 'needs-rollout' }>;

/** How many machines of one track run one version. */
export interface VersionCount {
  readonly version: string;
  readonly machines: number;
}

/** A page of machines, ordered by machine ID; every filter given must match. */
export interface MachineQuery {
  readonly track?: string;
  readonly version?: string;
  readonly state?: MachineState;
  readonly limit: number;
  /** Only machines whose ID sorts after this one: the previous page's `lastMachineId`. */
  readonly after?: string;
}

export interface MachinePage {
  readonly machines: readonly MachineRecord[];
  /** Set when more machines match: the ID to continue after. */
  readonly lastMachineId: string | undefined;
}

/** A machine's record changed: it checked in, or reported an event that changed its state. */
export interface MachineChange {
  readonly machineId: string;
  readonly track: string;
}

export interface UpdateStore {
  /** Applies the state changes of a request's events, in order, to the machine and its history. */
  recordEvents(identity: MachineIdentity, changes: readonly StateChange[]): Promise<void>;
  /** Decides a check and records it (last check, grant or hold) atomically. */
  recordCheck(request: CheckRequest): Promise<FinalDecision>;
  /**
   * Decides several checks in the order given, each as if recordCheck had run
   * for it after the ones before it had finished (the store decides a group's
   * concurrent checks together this way; this is that, in an order the caller
   * chooses).
   */
  recordChecks(requests: readonly CheckRequest[]): Promise<readonly FinalDecision[]>;
  machine(machineId: string): Promise<MachineRecord | undefined>;
  /** The machine's history, oldest first. */
  history(machineId: string): Promise<readonly HistoryEntry[]>;
  /** Counts for one group's rollout of one version, as `decide` sees them. */
  rolloutStats(query: RolloutQuery): Promise<RolloutStats>;
  listMachines(query: MachineQuery): Promise<MachinePage>;
  /** The machines of one track by the version they run, most machines first (then by version). */
  versionBreakdown(track: string): Promise<readonly VersionCount[]>;
  /**
   * Calls `listener` after each committed check (its last check time moved, at least) and each event that changed a
   * machine's state; the JSON API's change feed follows the machines with it. Only this process's writes: a
   * PostgreSQL replica does not hear of another's. Returns the unsubscribe function.
   */
  onMachineChange(listener: (change: MachineChange) => void): () => void;
  /** Deletes history entries older than `before`; returns how many. */
  pruneHistory(before: Date): Promise<number>;
  close(): Promise<void>;
}
