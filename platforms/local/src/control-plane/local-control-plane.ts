import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ASSET_PATHS, CERT, KEY, type ClusterTopology, type ControllerNode } from '@strata/assets';
import { materializeIgnition, readEnvironmentFile, staticPodCommand } from './rendered-node.ts';
import { StrataError } from '@strata/api';
import { waitUntilHealthy, type ClientTls } from '@strata/host';
import type { ResolvedBinaries } from '@strata/binaries';
import { Supervisor, type SupervisorEvents } from './supervisor.ts';
import type { ImageMap } from '../pods/image-map.ts';

export class ControlPlaneStartError extends StrataError {}

/** The control-plane components a controller runs from the pinned binaries, in start order. */
export const CONTROLLER_COMPONENTS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const;

/**
 * Static pods of Strata's own programs, started after the control plane from the image map: the join approver,
 * which must run before any node can join.
 */
export const STRATA_STATIC_PODS = ['join-approver'] as const;

export interface LocalControlPlaneOptions {
  /** The directory `strata render` wrote. */
  readonly assetsDir: string;
  /** Where each controller's root and the component logs go. */
  readonly stateDir: string;
  readonly topology: ClusterTopology;
  readonly binaries: ResolvedBinaries;
  readonly events?: SupervisorEvents;
  readonly progress?: (message: string) => void;
  readonly startTimeoutMs?: number;
  /**
   * Which local command runs each of STRATA_STATIC_PODS' images: the entry's command replaces the container's first
   * command element. The layer above the platforms supplies it (the programs are not the platform's to import).
   */
  readonly images?: ImageMap;
}

export interface LocalControlPlane {
  readonly supervisor: Supervisor;
  /** Each controller's root directory: its Ignition files live under it. */
  readonly roots: ReadonlyMap<string, string>;
  stop(): Promise<void>;
}

const componentName = (component: string, controller: ControllerNode) => `${component}-${controller.name}`;

async function readTls(assetsDir: string, caBase: string, clientBase: string): Promise<ClientTls> {
  const [ca, cert, key] = await Promise.all([
    readFile(join(assetsDir, CERT(caBase)), 'utf8'),
    readFile(join(assetsDir, CERT(clientBase)), 'utf8'),
    readFile(join(assetsDir, KEY(clientBase)), 'utf8'),
  ]);
  return { ca, cert, key };
}

/** Where a local controller's Ignition files live: its root directory, under the cluster's state directory. */
export function controllerRoot(stateDir: string, controller: string): string {
  return join(stateDir, 'nodes', controller, 'root');
}

/**
 * Runs the rendered control plane on this machine as a kubelet would run it:
 * each controller's files from its Ignition config under its own root, etcd
 * from the rendered etcd.env, and the static pods' exact commands, all under
 * a supervisor that restarts what crashes.
 */
export async function startLocalControlPlane(options: LocalControlPlaneOptions): Promise<LocalControlPlane> {
  const { assetsDir, stateDir, topology, binaries } = options;
  const progress = options.progress ?? (() => undefined);
  const timeout = options.startTimeoutMs ?? 120_000;
  const supervisor = new Supervisor(options.events);
  const logs = join(stateDir, 'logs');
  const roots = new Map<string, string>();
  const started: string[] = [];
  const start = (name: string, command: string, args: string[], env: Record<string, string> = {}) => {
    started.push(name);
    return supervisor.start({ name, command, args, env, logFile: join(logs, `${name}.log`), gracePeriodMs: 15_000 });
  };

  try {
    for (const controller of topology.controllers) {
      const root = controllerRoot(stateDir, controller.name);
      await materializeIgnition(join(assetsDir, ASSET_PATHS.ignition(controller.name)), root);
      roots.set(controller.name, root);
    }

    progress(`starting etcd (${topology.controllers.length} member${topology.controllers.length === 1 ? '' : 's'})`);
    const etcdTls = await readTls(assetsDir, ASSET_PATHS.etcdCa, ASSET_PATHS.apiserverEtcdClient);
    // Every member must run before any can form the quorum.
    const members = await Promise.all(
      topology.controllers.map(async (controller) => {
        const root = roots.get(controller.name) ?? '';
        const env = await readEnvironmentFile(join(root, 'etc/etcd/etcd.env'), root);
        return { controller, process: start(componentName('etcd', controller), binaries.etcd, [], env) };
      }),
    );
    await Promise.all(
      members.map(({ controller, process }) =>
        waitUntilHealthy(process, `https://${controller.etcdHost}:2379/health`, etcdTls, timeout),
      ),
    );

    const adminTls = await readTls(assetsDir, ASSET_PATHS.clusterCa, ASSET_PATHS.apiserverKubeletClient);
    for (const component of CONTROLLER_COMPONENTS) {
      progress(`starting ${component}`);
      for (const controller of topology.controllers) {
        const root = roots.get(controller.name) ?? '';
        const command = await staticPodCommand(join(root, 'etc/kubernetes/manifests', `${component}.yaml`), root);
        const name = componentName(component, controller);
        const process = start(name, binaries[component], command.args);
        if (component === 'kube-apiserver') {
          // /readyz answers any authenticated client; the kubelet-client identity is enough and is not an admin.
          await waitUntilHealthy(process, `${controller.apiServerUrl}/readyz`, adminTls, timeout);
        }
      }
    }
    for (const component of STRATA_STATIC_PODS) {
      progress(`starting ${component}`);
      for (const controller of topology.controllers) {
        const root = roots.get(controller.name) ?? '';
        const command = await staticPodCommand(join(root, 'etc/kubernetes/manifests', `${component}.yaml`), root);
        const entry = command.image === undefined ? undefined : options.images?.lookup(command.image);
        if (entry === undefined) {
          throw new ControlPlaneStartError(
            `the static pod ${component} of ${controller.name} runs image ${command.image ?? '(none)'}, which no image map entry runs as a local process; ` +
              'pass images with an entry for it (the installer and @strata/platform-local/testing do)',
            { component, controller: controller.name, image: command.image },
          );
        }
        const [program, ...programArgs] = entry.command;
        start(componentName(component, controller), program, [...programArgs, ...command.args], entry.env ?? {});
      }
    }
  } catch (error) {
    await supervisor.stop([...started].reverse());
    throw error;
  }

  return {
    supervisor,
    roots,
    // Clients of etcd first, etcd last, so that nothing logs a lost connection on the way down.
    stop: () => supervisor.stop([...started].reverse()),
  };
}
