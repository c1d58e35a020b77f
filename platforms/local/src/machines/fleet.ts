// One simulated machine per machine of a bare-metal cluster config, each on a
// loopback address of its own, powered on together.
import { join } from 'node:path';
import { clusterTopology, type ClusterConfig } from '@strata/assets';
import { waitFor } from '@strata/host';
import { MachineBootError, MachineStopError } from './errors.ts';
import { SimulatedMachine, type MachineRunner, type SimulatedMachineState } from './machine.ts';
import type { MachineNames } from './machine-network.ts';
import { machineNames, simulatedRunner, type SimulatedRunnerOptions } from './runner.ts';

export interface SimulatedMachinesOptions {
  readonly config: ClusterConfig;
  readonly bootServerUrl: string;
  /** Each machine gets <dir>/<machine name>/ (its root under root/). */
  readonly dir: string;
  readonly sshPort?: number;
  /**
   * Run each machine once installed: a controller's control plane and every machine's simulated kubelet. Without
   * it (and without `runner`), machines stop at `installed`.
   */
  readonly run?: Omit<SimulatedRunnerOptions, 'names'>;
  /** A runner of one's own instead of `run`. */
  readonly runner?: MachineRunner;
  readonly onState?: (machine: SimulatedMachine, state: SimulatedMachineState) => void;
}

export interface SimulatedMachines {
  readonly machines: readonly SimulatedMachine[];
  /** Machines' domains and the API name, to their addresses: what a client of the cluster resolves them to. */
  readonly names: MachineNames;
  machine(name: string): SimulatedMachine;
  /** Each machine's state, by name. */
  states(): ReadonlyMap<string, SimulatedMachineState>;
  /** Resolves when every named machine (all by default) is in one of `phases`; a failed machine fails the wait at once. */
  waitFor(
    phases: readonly SimulatedMachineState['phase'][],
    timeoutMs: number,
    names?: readonly string[],
  ): Promise<void>;
  /** Stops every machine; nothing it started keeps running. */
  stop(): Promise<void>;
}

/**
 * Machines' addresses: 127.0.10.1 upward, clear of the local platform's
 * controllers (127.0.0.2-4), workers (127.1.x.y) and pod IPs (127.0.64.0/18).
 */
export function simulatedMachineAddress(index: number): string {
  return `127.0.10.${index + 1}`;
}

export function startSimulatedMachines(options: SimulatedMachinesOptions): SimulatedMachines {
  const specs = options.config.bareMetal?.machines;
  if (options.config.platform !== 'bare-metal' || specs === undefined) {
    throw new MachineBootError(
      `simulated machines need a platform: bare-metal config with bareMetal.machines; this one is for "${options.config.platform}"`,
      { platform: options.config.platform },
    );
  }
  if (specs.length > 254) {
    throw new MachineBootError(`${specs.length} machines: at most 254 simulated machines fit 127.0.10.0/24`, {
      count: specs.length,
    });
  }
  const names = machineNames(
    specs.map((spec, index) => ({ domain: spec.domain, role: spec.role, address: simulatedMachineAddress(index) })),
    clusterTopology(options.config).apiDnsName,
  );
  const runner = options.runner ?? (options.run === undefined ? undefined : simulatedRunner({ ...options.run, names }));
  const machines = specs.map(
    (spec, index) =>
      new SimulatedMachine({
        name: spec.name,
        mac: spec.mac,
        role: spec.role,
        address: simulatedMachineAddress(index),
        bootServerUrl: options.bootServerUrl,
        dir: join(options.dir, spec.name),
        ...(options.sshPort === undefined ? {} : { sshPort: options.sshPort }),
        ...(runner === undefined ? {} : { runner }),
        ...(options.onState === undefined ? {} : { onState: options.onState }),
      }),
  );
  for (const machine of machines) void machine.powerOn();
  const byName = new Map(machines.map((machine) => [machine.name, machine]));
  return {
    machines,
    names,
    machine: (name) => {
      const found = byName.get(name);
      if (found === undefined) throw new MachineBootError(`no simulated machine ${name}`, { machine: name });
      return found;
    },
    states: () => new Map(machines.map((machine) => [machine.name, machine.state])),
    waitFor: async (phases, timeoutMs, names) => {
      const chosen = names === undefined ? machines : names.map((name) => byName.get(name));
      await waitFor(
        `machines ${chosen.map((machine) => machine?.name ?? '?').join(', ')} to be ${phases.join(' or ')}`,
        () => {
          const states = chosen.map((machine) => machine?.state);
          const failed = chosen.find((machine) => machine?.state.phase === 'failed');
          if (failed !== undefined && failed.state.phase === 'failed' && !phases.includes('failed')) {
            throw new MachineBootError(
              `${failed.name} failed: ${failed.state.reason}`,
              { machine: failed.name },
              { cause: failed.state.error },
            );
          }
          return states.every((state) => state !== undefined && phases.includes(state.phase)) ? true : undefined;
        },
        { timeoutMs, intervalMs: 100 },
      );
    },
    stop: async () => {
      const results = await Promise.allSettled(machines.map((machine) => machine.stop()));
      const failed = results.filter((result) => result.status === 'rejected');
      if (failed.length > 0) {
        throw new MachineStopError(
          `${failed.length} simulated machines did not stop`,
          {},
          { cause: failed[0]?.reason },
        );
      }
    },
  };
}
