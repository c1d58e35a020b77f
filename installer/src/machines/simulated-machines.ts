// The simulated bare-metal machines a user starts with `strata machines
// start`: platform-local's machines, running Strata's own static pods (the
// join approver) from this checkout's binaries. The platform and the
// components sit in one layer, so the installer wires them here.
import { join } from 'node:path';
import { homedir } from 'node:os';
import { clusterTopology, type ClusterConfig } from '@strata/assets';
import { resolveAllBinaries } from '@strata/binaries';
import { PUBLIC_FILE_MODE, writeFileAtomic } from '@strata/host';
import {
  DEFAULT_OS_VERSIONS,
  hostsFile,
  machineNames,
  simulatedMachineAddress,
  startSimulatedMachines,
  type SimulatedMachine,
  type SimulatedMachines,
  type SimulatedMachineState,
} from '@strata/platform-local';
import { InstallConfigError } from '../install/errors.ts';
import { localPlatformComponents } from '../local/components.ts';

/** Not 22: a system sshd on 0.0.0.0:22 holds that port on every loopback address. */
export const DEFAULT_MACHINE_SSH_PORT = 2222;

/** $XDG_DATA_HOME/strata/machines/<cluster>: beside the cluster directories, never inside one. */
export function defaultMachinesDir(cluster: string, env: NodeJS.ProcessEnv = process.env): string {
  const data =
    env['XDG_DATA_HOME'] !== undefined && env['XDG_DATA_HOME'] !== ''
      ? env['XDG_DATA_HOME']
      : join(homedir(), '.local', 'share');
  return join(data, 'strata', 'machines', cluster);
}

export interface UserMachinesOptions {
  readonly config: ClusterConfig;
  readonly bootServerUrl: string;
  readonly dir: string;
  readonly sshPort: number;
  readonly onState: (machine: SimulatedMachine, state: SimulatedMachineState) => void;
}

export interface UserMachines {
  readonly machines: SimulatedMachines;
  /** /etc/hosts lines for the machines' and the API's names, written to <dir>/hosts for the installer. */
  readonly hostsPath: string;
  readonly hosts: string;
}

/** The machines of a bare-metal config; any other config is refused (exit 3). */
export function bareMetalMachines(config: ClusterConfig): NonNullable<ClusterConfig['bareMetal']>['machines'] {
  const specs = config.bareMetal?.machines;
  if (config.platform !== 'bare-metal' || specs === undefined) {
    throw new InstallConfigError(
      `simulated machines need a config with platform: bare-metal and bareMetal.machines; this one is for "${config.platform}"`,
      { platform: config.platform, field: 'platform' },
    );
  }
  return specs;
}

/** One simulated machine per machine of a bare-metal config, each booting from `bootServerUrl`. */
export async function startUserMachines(options: UserMachinesOptions): Promise<UserMachines> {
  const { config } = options;
  const specs = bareMetalMachines(config);
  const names = machineNames(
    specs.map((spec, index) => ({ domain: spec.domain, role: spec.role, address: simulatedMachineAddress(index) })),
    clusterTopology(config).apiDnsName,
  );
  const hosts = hostsFile(names);
  const hostsPath = join(options.dir, 'hosts');
  await writeFileAtomic(hostsPath, hosts, PUBLIC_FILE_MODE);
  const binaries = await resolveAllBinaries();
  const machines = startSimulatedMachines({
    config,
    bootServerUrl: options.bootServerUrl,
    dir: options.dir,
    sshPort: options.sshPort,
    run: {
      binaries,
      os: {
        version: config.os.version ?? DEFAULT_OS_VERSIONS[config.os.name],
        group: config.updates.group ?? config.os.channel,
      },
      images: localPlatformComponents().images,
    },
    onState: options.onState,
  });
  return { machines, hostsPath, hosts };
}

/** One line of a machine's state, as the command prints it. */
export function describeMachineState(state: SimulatedMachineState): string {
  switch (state.phase) {
    case 'waiting-for-secrets':
      return `waiting for its secrets over SSH (${state.missing.length} file(s) missing: ${state.missing.join(', ')})`;
    case 'failed':
      return `failed: ${state.reason}`;
    case 'running':
      return 'running (its components started from its own disk)';
    case 'installing':
      return 'installing (the install profile is booting)';
    case 'booting':
      return 'network-booting from the boot server';
    default:
      return state.phase;
  }
}
