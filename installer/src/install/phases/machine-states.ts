// Each machine's state while the install waits for the nodes, from what the
// engine can observe: the Node objects on every platform, and what a platform
// driver adds from its own records (bare metal: the boot server's). A machine
// nothing was observed of is `unseen`, never guessed to be booting.
import { MACHINE_STATES, type InstallEvents, type MachineState, type Phase } from '../events.ts';

export interface ExpectedMachine {
  readonly name: string;
  readonly role: 'controller' | 'worker';
}

export interface ObservedMachine {
  readonly state: MachineState;
  readonly source: string;
}

/** What the API server shows of the expected machines' Nodes. */
export interface NodeObservation {
  /** Names of the Node objects that exist. */
  readonly registered: ReadonlySet<string>;
  /** Names of the Nodes whose Ready condition is True. */
  readonly ready: ReadonlySet<string>;
}

type Named = readonly { readonly name: string }[];

export function expectedMachines(topology: {
  readonly controllers: Named;
  readonly workers: Named;
}): ExpectedMachine[] {
  return [
    ...topology.controllers.map((node) => ({ name: node.name, role: 'controller' as const })),
    ...topology.workers.map((node) => ({ name: node.name, role: 'worker' as const })),
  ];
}

const rank = (state: MachineState): number => MACHINE_STATES.indexOf(state);

/**
 * One machine's state: the Node's, when it has one, over what the platform saw before it (a Node is the later and
 * the surer sign); `unseen` when neither says anything.
 */
export function observeMachine(
  name: string,
  nodes: NodeObservation,
  platform: ReadonlyMap<string, ObservedMachine> = new Map(),
): ObservedMachine {
  if (nodes.ready.has(name)) return { state: 'ready', source: 'Node Ready condition' };
  if (nodes.registered.has(name)) return { state: 'registered', source: 'Node object' };
  const seen = platform.get(name);
  if (seen !== undefined && rank(seen.state) > rank('unseen')) return seen;
  return { state: 'unseen', source: 'no Node object yet' };
}

/** Emits a machine-state event for each machine whose state changed since the last call (every machine the first time). */
export class MachineStateReporter {
  readonly #events: InstallEvents;
  readonly #phase: Phase;
  readonly #machines: readonly ExpectedMachine[];
  readonly #last = new Map<string, MachineState>();

  constructor(events: InstallEvents, phase: Phase, machines: readonly ExpectedMachine[]) {
    this.#events = events;
    this.#phase = phase;
    this.#machines = machines;
  }

  report(nodes: NodeObservation, platform?: ReadonlyMap<string, ObservedMachine>): void {
    for (const machine of this.#machines) {
      const observed = observeMachine(machine.name, nodes, platform);
      if (this.#last.get(machine.name) === observed.state) continue;
      this.#last.set(machine.name, observed.state);
      this.#events.emit({
        type: 'machine-state',
        phase: this.#phase,
        machine: machine.name,
        role: machine.role,
        state: observed.state,
        source: observed.source,
      });
    }
  }
}
