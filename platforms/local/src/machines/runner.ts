// What an installed machine runs, from its own root only: a controller its
// control plane (etcd from its etcd.env, its static pods' commands, as
// rendered-node.ts reads them) and, like every machine, a simulated kubelet
// from the bootstrap kubeconfig Ignition (or SSH) put on its disk. A kubelet
// retries until the API lets it in, as a real one does: a worker may come up
// long before any controller.
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import type { ResolvedBinaries } from '@strata/binaries';
import { PUBLIC_FILE_MODE, writeFileAtomic } from '@strata/host';
import { readEnvironmentFile, staticPodCommand } from '../control-plane/rendered-node.ts';
import { CONTROLLER_COMPONENTS, STRATA_STATIC_PODS } from '../control-plane/local-control-plane.ts';
import { ImageMap, type ImageMapInput } from '../pods/image-map.ts';
import { Supervisor, type SupervisorEvents } from '../control-plane/supervisor.ts';
import { SimulatedNode } from '../node/simulated-node.ts';
import { machineTrustStore, readUpdateConf, updateSettingsFrom } from '@strata/update-engine';
import { ManualUpdateSource } from '../os/update-source.ts';
import { SimulatedOperatingSystem } from '../os/simulated-os.ts';
import { MachineBootError } from './errors.ts';
import type { MachineRun, MachineRunner, SimulatedMachine } from './machine.ts';
import { hostsFile, onMachine, placeKubeConfig, writePlacedKubeconfig, type MachineNames } from './machine-network.ts';

export interface SimulatedRunnerOptions {
  readonly binaries: ResolvedBinaries;
  /** Machines' domains and the API name, to machine addresses. */
  readonly names: MachineNames;
  /** The simulated Container Linux each machine reports. */
  readonly os: { readonly version: string; readonly group: string };
  readonly kubeletVersion?: string;
  readonly events?: SupervisorEvents;
  readonly onError?: (error: unknown, activity: string) => void;
  /** Pause between two attempts of a kubelet that could not bootstrap or register. */
  readonly kubeletRetryMs?: number;
  /**
   * Which local command runs Strata's own static pods (the join approver), as on the local platform. Without it a
   * controller runs only the Kubernetes components, and no node that needs the approver joins.
   */
  readonly images?: ImageMapInput;
}

const KUBELET_UNIT = '/etc/systemd/system/kubelet.service';
const ETCD_ENV = '/etc/etcd/etcd.env';
const MANIFESTS = '/etc/kubernetes/manifests';

/** The flags of the kubelet unit's ExecStart that a simulated kubelet honours. */
async function kubeletFlags(
  root: string,
  machine: string,
): Promise<{ bootstrap: string; name: string; labels: Record<string, string> }> {
  const unit = await readFile(join(root, KUBELET_UNIT), 'utf8').catch((error: unknown) => {
    throw new MachineBootError(`${machine}: no ${KUBELET_UNIT} on its disk`, { machine }, { cause: error });
  });
  const flag = (name: string) => new RegExp(`--${name}=(\\S+)`).exec(unit)?.[1];
  const bootstrap = flag('bootstrap-kubeconfig');
  if (bootstrap === undefined)
    throw new MachineBootError(`${machine}: ${KUBELET_UNIT} names no --bootstrap-kubeconfig`, { machine });
  const labels = Object.fromEntries(
    (flag('node-labels') ?? '')
      .split(',')
      .filter((pair) => pair.includes('='))
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
  return { bootstrap, name: flag('hostname-override') ?? machine, labels };
}

/** Runs a machine's kubelet until stopped, starting it again after a failed bootstrap or registration. */
function runKubelet(machine: SimulatedMachine, options: SimulatedRunnerOptions): MachineRun {
  const abort = new AbortController();
  let current: SimulatedNode | undefined;
  const loop = (async () => {
    const flags = await kubeletFlags(machine.root, machine.name);
    const bootstrap = new KubeConfig();
    bootstrap.loadFromFile(join(machine.root, flags.bootstrap));
    const placed = placeKubeConfig(bootstrap, options.names, machine.address);
    // update_engine's server and group are the ones Ignition wrote into the machine's update.conf.
    const updates = updateSettingsFrom(
      await readUpdateConf(machine.root),
      { source: new ManualUpdateSource(), group: options.os.group },
      { machineAlias: machine.name, ca: await machineTrustStore(machine.root) },
    );
    const os = new SimulatedOperatingSystem({
      id: 'flatcar',
      version: options.os.version,
      group: updates.group,
      updateSource: updates.source,
    });
    while (!abort.signal.aborted) {
      current = new SimulatedNode({
        spec: { name: flags.name, ip: machine.address, labels: flags.labels },
        os,
        bootstrapKubeConfig: placed,
        stateDir: join(machine.root, 'var/lib/kubelet'),
        ...(options.kubeletVersion === undefined ? {} : { kubeletVersion: options.kubeletVersion }),
        ...(options.onError === undefined ? {} : { onError: options.onError }),
      });
      try {
        await current.start();
        return;
      } catch (error) {
        options.onError?.(error, `${machine.name}: kubelet start`);
        await current.stop();
        await sleep(options.kubeletRetryMs ?? 2_000, undefined, { signal: abort.signal }).catch(() => undefined);
      }
    }
  })().catch((error: unknown) => options.onError?.(error, `${machine.name}: kubelet`));
  return {
    stop: async () => {
      abort.abort();
      await loop;
      await current?.stop();
    },
  };
}

/**
 * A program of the machine as a process: in a private mount namespace whose
 * /etc/hosts is the machine's (names resolve to machine addresses; the
 * system's file is not touched). That takes root.
 */
export function onItsOwnHosts(
  hosts: string,
  binary: string,
  args: readonly string[],
): { command: string; args: string[] } {
  if (process.getuid?.() !== 0) {
    throw new MachineBootError(
      'a simulated controller runs its components in a private mount namespace (its own /etc/hosts), which needs root',
      {
        binary,
      },
    );
  }
  return {
    command: '/usr/bin/unshare',
    args: [
      '--mount',
      '--propagation',
      'private',
      '--',
      '/bin/sh',
      '-c',
      'mount --bind "$0" /etc/hosts && exec "$@"',
      hosts,
      binary,
      ...args,
    ],
  };
}

/** The control plane of a controller, from its root, on its address. */
async function runControlPlane(machine: SimulatedMachine, options: SimulatedRunnerOptions): Promise<MachineRun> {
  const { root, address, stateDir } = machine;
  const run = join(stateDir, 'run');
  const hosts = join(run, 'hosts');
  await writeFileAtomic(hosts, hostsFile(options.names), PUBLIC_FILE_MODE);
  const supervisor = new Supervisor(options.events);
  const started: string[] = [];
  const start = (component: string, binary: string, args: readonly string[], env: Record<string, string> = {}) => {
    const name = `${component}-${machine.name}`;
    started.push(name);
    supervisor.start({
      name,
      ...onItsOwnHosts(hosts, binary, args),
      env,
      logFile: join(stateDir, 'logs', `${component}.log`),
      gracePeriodMs: 15_000,
    });
  };
  try {
    const env = await readEnvironmentFile(join(root, ETCD_ENV), root);
    start(
      'etcd',
      options.binaries.etcd,
      [],
      Object.fromEntries(Object.entries(env).map(([key, value]) => [key, onMachine(value, address)])),
    );
    // A static pod's flags on this machine: its address for "this host", and a kubeconfig naming "this host" given
    // as a copy naming the machine's address (and the old name for TLS).
    const placedArgs = async (component: string, flags: readonly string[]): Promise<string[]> => {
      const args: string[] = [];
      for (const arg of flags) {
        const kubeconfig = /^(--[\w-]*kubeconfig=)(\/.*)$/.exec(arg);
        if (kubeconfig?.[1] !== undefined && kubeconfig[2] !== undefined) {
          const copy = join(run, `${component}-${basename(kubeconfig[2])}`);
          await writePlacedKubeconfig(await readFile(kubeconfig[2], 'utf8'), kubeconfig[2], copy, address);
          args.push(`${kubeconfig[1]}${copy}`);
        } else args.push(onMachine(arg, address));
      }
      return args;
    };
    for (const component of CONTROLLER_COMPONENTS) {
      const command = await staticPodCommand(join(root, MANIFESTS, `${component}.yaml`), root);
      start(component, options.binaries[component], await placedArgs(component, command.args));
    }
    const images = options.images === undefined ? undefined : ImageMap.parse(options.images, "the machines' image map");
    for (const component of images === undefined ? [] : STRATA_STATIC_PODS) {
      const command = await staticPodCommand(join(root, MANIFESTS, `${component}.yaml`), root);
      const entry = command.image === undefined ? undefined : images?.lookup(command.image);
      if (entry === undefined) {
        throw new MachineBootError(
          `${machine.name}: the static pod ${component} runs image ${command.image ?? '(none)'}, which the image map does not run`,
          { machine: machine.name, component },
        );
      }
      const [program, ...programArgs] = entry.command;
      start(component, program, [...programArgs, ...(await placedArgs(component, command.args))], entry.env ?? {});
    }
  } catch (error) {
    await supervisor.stop([...started].reverse());
    throw error;
  }
  return { stop: () => supervisor.stop([...started].reverse()) };
}

/** Runs a controller's control plane and every machine's kubelet. */
export function simulatedRunner(options: SimulatedRunnerOptions): MachineRunner {
  return async (machine) => {
    const controlPlane = machine.role === 'controller' ? await runControlPlane(machine, options) : undefined;
    const kubelet = runKubelet(machine, options);
    return {
      stop: async () => {
        await kubelet.stop();
        await controlPlane?.stop();
      },
    };
  };
}

/** The names a cluster's machines resolve: each machine's domain, and the API name to every controller. */
export function machineNames(
  machines: readonly { readonly domain: string; readonly role: string; readonly address: string }[],
  apiDnsName: string,
): MachineNames {
  const names = new Map<string, string[]>(machines.map((machine) => [machine.domain, [machine.address]]));
  names.set(
    apiDnsName,
    machines.filter((machine) => machine.role === 'controller').map((machine) => machine.address),
  );
  return names;
}
