// What the live view knows about an install, folded from the engine's events.
// A pure reducer, so the view is a function of (state, now) and a test can
// reach any screen by replaying typed events.
import type { InstallEvent, InstallEvents, MachineState, Phase, ResourceChange } from '../../install/events.ts';

type PhaseFailed = Extract<InstallEvent, { type: 'phase-failed' }>;
type Summary = Extract<InstallEvent, { type: 'summary' }>;

export type PhaseView =
  | { readonly status: 'pending' }
  | {
      readonly status: 'running';
      readonly since: number;
      readonly message?: string;
      readonly done?: number;
      readonly total?: number;
    }
  | { readonly status: 'done'; readonly durationMs: number }
  | { readonly status: 'failed'; readonly durationMs: number; readonly timedOut: boolean }
  | { readonly status: 'skipped'; readonly reason: string };

export interface ResourceInFlight {
  readonly name: string;
  readonly resourceType: string;
  readonly op: string;
  /** When it started, as milliseconds since the epoch (from the event's time). */
  readonly since: number;
}

export interface MachineView {
  readonly role: 'controller' | 'worker';
  readonly state: MachineState;
  /** When it reached this state, as milliseconds since the epoch. */
  readonly since: number;
}

export interface InstallState {
  readonly phases: Readonly<Record<Phase, PhaseView>>;
  /** The resources started and not yet finished, by URN, in the order they started. */
  readonly inFlight: ReadonlyMap<string, ResourceInFlight>;
  /** Resources done out of the total, once the provisioning reports them. */
  readonly resources?: { readonly done: number; readonly total: number };
  /** The resources a resource-progress event reported failed, with the provider's message. */
  readonly failedResources: readonly { readonly name: string; readonly message: string }[];
  readonly preview?: readonly ResourceChange[];
  /** Each machine's last reported state while waiting for the nodes, by name, in the order first reported. */
  readonly machines: ReadonlyMap<string, MachineView>;
  readonly failure?: PhaseFailed;
  readonly summary?: Summary;
}

export function initialInstallState(): InstallState {
  const pending: PhaseView = { status: 'pending' };
  const phases: Record<Phase, PhaseView> = {
    preflight: pending,
    render: pending,
    provision: pending,
    'wait-api': pending,
    bootstrap: pending,
    'wait-nodes': pending,
    summary: pending,
    destroy: pending,
  };
  return { phases, inFlight: new Map(), failedResources: [], machines: new Map() };
}

export function reduceInstall(state: InstallState, event: InstallEvent): InstallState {
  const at = Date.parse(event.at);
  const withPhase = (phase: Phase, view: PhaseView): InstallState => ({
    ...state,
    phases: { ...state.phases, [phase]: view },
  });
  switch (event.type) {
    case 'phase-started':
      return withPhase(event.phase, { status: 'running', since: at });
    case 'phase-progress': {
      const current = state.phases[event.phase];
      const since = current.status === 'running' ? current.since : at;
      return withPhase(event.phase, {
        status: 'running',
        since,
        message: event.message,
        ...(event.done === undefined ? {} : { done: event.done }),
        ...(event.total === undefined ? {} : { total: event.total }),
      });
    }
    case 'resource-progress': {
      const inFlight = new Map(state.inFlight);
      if (event.status === 'started')
        inFlight.set(event.urn, { name: event.name, resourceType: event.resourceType, op: event.op, since: at });
      else inFlight.delete(event.urn);
      const failedResources =
        event.status === 'failed'
          ? [...state.failedResources, { name: event.name, message: event.message ?? '' }]
          : state.failedResources;
      return { ...state, inFlight, failedResources, resources: { done: event.done, total: event.total } };
    }
    case 'phase-succeeded':
      return withPhase(event.phase, { status: 'done', durationMs: event.durationMs });
    case 'phase-failed':
      return {
        ...withPhase(event.phase, { status: 'failed', durationMs: event.durationMs, timedOut: event.timedOut }),
        failure: event,
      };
    case 'phase-skipped':
      return withPhase(event.phase, { status: 'skipped', reason: event.reason });
    case 'preview':
      return { ...state, preview: event.changes };
    case 'machine-state': {
      const machines = new Map(state.machines);
      machines.set(event.machine, { role: event.role, state: event.state, since: at });
      return { ...state, machines };
    }
    case 'summary':
      return { ...state, summary: event };
  }
}

/**
 * The state, kept from the moment it is made: the engine may emit before the
 * view mounts, and no event may be lost to that race.
 */
export class InstallStateStore {
  readonly #listeners = new Set<() => void>();
  #state = initialInstallState();
  readonly #unsubscribe: () => void;

  constructor(events: InstallEvents) {
    this.#unsubscribe = events.subscribe((event) => {
      this.#state = reduceInstall(this.#state, event);
      for (const listener of this.#listeners) listener();
    });
  }

  get state(): InstallState {
    return this.#state;
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    this.#unsubscribe();
  }
}
