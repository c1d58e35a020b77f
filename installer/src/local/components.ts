// Strata's own components on the local platform: what the platform needs to
// run the pods of the bootstrap manifests that are Strata programs. The
// platform and the operators sit in one layer and may not import each other,
// so the installer wires them together here, for `strata up` and for the
// whole-system tests alike.
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { StrataError } from '@strata/api';
import {
  CONSOLE_IMAGE,
  ETCD_OPERATOR_IMAGE,
  JOIN_APPROVER_IMAGE,
  UPDATE_OPERATOR_IMAGE,
  UPDATE_SERVER_IMAGE,
} from '@strata/assets';
import { bundleNodeProgram } from '@strata/binaries';
import type { ImageMapInput, PodRuntime, SimulatedOperatingSystem } from '@strata/platform-local';
import { UpdateAgentPodRuntime } from './update-agent-runtime.ts';
import { consoleBin } from './console-server.ts';

export class LocalComponentsError extends StrataError {}

/** The join approver's binary; the static pod on every controller runs it. */
export const JOIN_APPROVER_BIN = fileURLToPath(
  new URL('../bin/join-approver.ts', import.meta.resolve('@strata/join-approver')),
);

/** The update operator's one binary; the Deployment's pods run it as `operator`, bundled (updateOperatorProgram). */
export const UPDATE_OPERATOR_BIN = fileURLToPath(
  new URL('../bin/update-operator.ts', import.meta.resolve('@strata/update-operator')),
);

/**
 * The update operator as its pods run it: one bundled JavaScript file built from UPDATE_OPERATOR_BIN and cached
 * (rebuilt when a source changes). Its replicas watch every Node of the cluster, so their memory is what a user
 * budgets for; the bundle keeps about 80 MiB per replica that the sources would hold (ADR 0077).
 */
export function updateOperatorProgram(): Promise<string> {
  return bundleNodeProgram({ name: 'update-operator', entry: UPDATE_OPERATOR_BIN });
}

/** The etcd operator's binary: the Deployment's replicas run `run`, joining etcd members' init containers `await-member`. */
export const ETCD_OPERATOR_BIN = fileURLToPath(
  new URL('../bin/etcd-operator.ts', import.meta.resolve('@strata/etcd-operator')),
);

/** The update server's binary: the Deployment's one replica runs `run`. */
export const UPDATE_SERVER_BIN = fileURLToPath(
  new URL('../bin/update-server.ts', import.meta.resolve('@strata/update-server')),
);

export interface LocalPlatformComponentsOptions {
  /** Where the in-process update agents log (silent by default). */
  readonly agentLogger?: Logger;
  /** How long a failed or killed agent waits before it runs again (the kubelet's 10 s by default). */
  readonly agentRestartDelayMs?: number;
  /**
   * Run the console's pod as a process of this checkout's `console` entry point (`console serve`), which serves the
   * production build: only once it is built (`buildLocalConsole`). Without it the console's pod is a placeholder.
   */
  readonly console?: boolean;
}

/** The in-process update agents of a local cluster, by node: tests kill them as a crash would. */
export class UpdateAgents {
  readonly #runtimes = new Map<string, UpdateAgentPodRuntime>();

  /** Called by the node runtimes factory below as each simulated node starts. */
  add(nodeName: string, runtime: UpdateAgentPodRuntime): void {
    this.#runtimes.set(nodeName, runtime);
  }

  /** Whether the agent pod of `nodeName` runs now. */
  running(nodeName: string): boolean {
    return this.#runtimes.get(nodeName)?.running ?? false;
  }

  /**
   * Kills the agent of `nodeName` wherever it is, as a crash of its container
   * would; its pod restarts it after the restart delay, or `restartAfterMs`.
   */
  crash(nodeName: string, options: { readonly reason?: string; readonly restartAfterMs?: number } = {}): void {
    const runtime = this.#runtimes.get(nodeName);
    if (runtime === undefined)
      throw new LocalComponentsError(`no simulated node named ${nodeName} has an update agent runtime`, {
        node: nodeName,
      });
    if (!runtime.crash(options))
      throw new LocalComponentsError(`no update agent pod runs on node ${nodeName} now`, { node: nodeName });
  }

  /** Restarts a killed agent of `nodeName` now instead of after its restart delay. */
  restartNow(nodeName: string): void {
    const runtime = this.#runtimes.get(nodeName);
    if (runtime?.restartNow() !== true)
      throw new LocalComponentsError(`no update agent pod runs on node ${nodeName} now`, { node: nodeName });
  }
}

export interface LocalPlatformComponents {
  /**
   * Image map entries: the join approver's static pods, the operators', the update server's and (if asked) the
   * console's Deployments' pods (and the etcd operator's init containers) run as local processes of this checkout's
   * binaries.
   */
  readonly images: ImageMapInput;
  /** Per node: the DaemonSet's agent pod runs in this process, against the node's simulated OS. */
  readonly nodeRuntimes: (node: {
    readonly nodeName: string;
    readonly os: SimulatedOperatingSystem;
  }) => readonly PodRuntime[];
  readonly updateAgents: UpdateAgents;
}

/**
 * What `upLocalCluster` (and `startTestCluster`) need to run Strata's own
 * components: spread the result into their options.
 */
export async function localPlatformComponents(
  options: LocalPlatformComponentsOptions = {},
): Promise<LocalPlatformComponents> {
  const updateAgents = new UpdateAgents();
  const updateOperator = await updateOperatorProgram();
  return {
    images: {
      [UPDATE_OPERATOR_IMAGE]: { command: [process.execPath, updateOperator] },
      [JOIN_APPROVER_IMAGE]: { command: [process.execPath, JOIN_APPROVER_BIN] },
      [ETCD_OPERATOR_IMAGE]: { command: [process.execPath, ETCD_OPERATOR_BIN] },
      [UPDATE_SERVER_IMAGE]: { command: [process.execPath, UPDATE_SERVER_BIN] },
      ...(options.console === true ? { [CONSOLE_IMAGE]: { command: [process.execPath, consoleBin()] } } : {}),
    },
    nodeRuntimes: ({ nodeName, os }) => {
      const runtime = new UpdateAgentPodRuntime({
        os,
        ...(options.agentLogger === undefined ? {} : { logger: options.agentLogger.child({ node: nodeName }) }),
        ...(options.agentRestartDelayMs === undefined ? {} : { restartDelayMs: options.agentRestartDelayMs }),
      });
      updateAgents.add(nodeName, runtime);
      return [runtime];
    },
    updateAgents,
  };
}
