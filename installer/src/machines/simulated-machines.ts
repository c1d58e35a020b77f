// The simulated bare-metal machines a user starts with `strata machines
// start`: platform-local's machines, running Strata's own static pods (the
// join approver) from this checkout's binaries. The platform and the
// components sit in one layer, so the installer wires them here.
import { join } from 'node:path';
import { clusterTopology, type ClusterConfig } from '@strata/assets';
import { resolveAllBinaries } from '@strata/binaries';
import { PUBLIC_FILE_MODE, strataDataDir, writeFileAtomic } from '@strata/host';
import {
  DEFAULT_OS_VERSIONS,
  simulatedOsId,
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
  return join(strataDataDir(env), 'machines', cluster);
}

export interface UserMachinesOptions {
  readonly config: ClusterConfig;
  readonly bootServerUrl: string;
  readonly dir: string;
  readonly sshPort: number;
  readonly onState: (machine: SimulatedMachine, state: SimulatedMachineState) => void;
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

/** /etc/hosts lines for the machines' and the API's names at the machines' addresses, in <dir>/hosts; returns its path. */
export async function writeMachinesHosts(config: ClusterConfig, dir: string): Promise<string> {
  const names = machineNames(
    bareMetalMachines(config).map((spec, index) => ({
      domain: spec.domain,
      role: spec.role,
      address: simulatedMachineAddress(index),
    })),
    clusterTopology(config).apiDnsName,
  );
  const path = join(dir, 'hosts');
  await writeFileAtomic(path, hostsFile(names), PUBLIC_FILE_MODE);
  return path;
}

/** One simulated machine per machine of a bare-metal config, each booting from `bootServerUrl`, all at once. */
export async function startUserMachines(options: UserMachinesOptions): Promise<SimulatedMachines> {
  const { config } = options;
  bareMetalMachines(config);
  const binaries = await resolveAllBinaries();
  return startSimulatedMachines({
    config,
    bootServerUrl: options.bootServerUrl,
    dir: options.dir,
    sshPort: options.sshPort,
    run: {
      binaries,
      os: {
        version: config.os.version ?? DEFAULT_OS_VERSIONS[simulatedOsId(config.os.name)],
        group: config.updates.group ?? config.os.channel,
      },
      images: (await localPlatformComponents()).images,
    },
    onState: options.onState,
  });
}

/**
 * Whether the boot server knows a machine well enough to boot it: its iPXE
 * script and both its Ignition configs (install and installed) answer 200.
 * A real machine's firmware retries PXE until then; this is that retry's test.
 */
export async function bootServerKnows(bootServerUrl: string, mac: string, signal?: AbortSignal): Promise<boolean> {
  for (const path of [`/ipxe?mac=${mac}`, `/ignition?mac=${mac}`, `/ignition?mac=${mac}&os=installed`]) {
    const response = await fetch(new URL(path, bootServerUrl), signal === undefined ? {} : { signal });
    await response.body?.cancel();
    if (response.status !== 200) return false;
  }
  return true;
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
