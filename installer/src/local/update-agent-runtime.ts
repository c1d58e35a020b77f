// The update agent on a simulated node. On a real node the agent is a
// container that reaches update_engine and logind over the host's D-Bus
// socket; a simulated node's "host" is an object in this process, so its
// agent pod runs here, in-process, against that object. Everything else is as
// on a real node: the pod comes from the DaemonSet, and the agent authenticates
// with its own service account token bound to the pod (so the API server's
// RBAC and the one-node admission policy apply to it), never with the node's
// or an admin's credentials.
import { type KubeConfig, type V1ContainerStatus, type V1Pod } from '@kubernetes/client-node';
import { PooledKubeConfig } from '@strata/kube';
import type { Logger } from 'pino';
import { StrataError, type NodeOperatingSystem } from '@strata/api';
import { UPDATE_OPERATOR_IMAGE } from '@strata/assets';
import { PodObjects, type NodeContext, type PodRuntime, type PodRuntimeStatus } from '@strata/platform-local';
import { runAgent } from '@strata/update-operator';

export class UpdateAgentPodError extends StrataError {}

/** A day: longer than any local cluster's life, shorter than the API server's cap. */
const TOKEN_SECONDS = 24 * 60 * 60;
/** The kubelet's first crash-loop back-off. */
export const DEFAULT_AGENT_RESTART_DELAY_MS = 10_000;

/** The DaemonSet's agent container: Strata's update-operator image run with `agent`. */
export function isUpdateAgentPod(pod: V1Pod): boolean {
  const containers = pod.spec?.containers ?? [];
  return (
    containers.length === 1 && containers[0]?.image === UPDATE_OPERATOR_IMAGE && containers[0].args?.[0] === 'agent'
  );
}

export interface UpdateAgentPodRuntimeOptions {
  /** The simulated machine the agent drives: its update engine, boot id and reboots. */
  readonly os: NodeOperatingSystem;
  readonly logger?: Logger;
  /** How long an agent that failed or was killed waits before it runs again (the kubelet's back-off, not doubled). */
  readonly restartDelayMs?: number;
}

interface RunningAgent {
  /** Aborted when the pod stops (deleted, or the node shuts down). */
  readonly pod: AbortController;
  /** Aborted to kill the current run only, as a crashed container; the pod restarts it. */
  run: AbortController;
  /** The delay before the next restart, when a kill asked for another than the runtime's. */
  nextRestartDelayMs: number | undefined;
  /** Aborted to end the wait before a restart at once. */
  wake: AbortController;
  done: Promise<void>;
}

/** Builds a client that authenticates as the pod's service account, against the node's API server and CA. */
async function podKubeConfig(pod: V1Pod, node: NodeContext): Promise<KubeConfig> {
  const cluster = node.kubeConfig.getCurrentCluster();
  if (cluster === null)
    throw new UpdateAgentPodError(`node ${node.nodeName} has no current cluster in its kubeconfig`, {
      node: node.nodeName,
    });
  const { token } = await new PodObjects(node.kubeConfig, pod).serviceAccountToken({
    expirationSeconds: TOKEN_SECONDS,
  });
  const kubeConfig = new PooledKubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ ...cluster, name: 'local' }],
    users: [{ name: 'update-agent', token }],
    contexts: [{ name: 'update-agent', cluster: 'local', user: 'update-agent' }],
    currentContext: 'update-agent',
  });
  return kubeConfig;
}

const describe = (reason: unknown): string => (reason instanceof Error ? reason.message : String(reason));

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Runs the agent pod of one simulated node in this process. */
export class UpdateAgentPodRuntime implements PodRuntime {
  readonly #os: NodeOperatingSystem;
  readonly #logger: Logger | undefined;
  readonly #restartDelayMs: number;
  readonly #agents = new Map<string, RunningAgent>();

  constructor(options: UpdateAgentPodRuntimeOptions) {
    this.#os = options.os;
    this.#logger = options.logger;
    this.#restartDelayMs = options.restartDelayMs ?? DEFAULT_AGENT_RESTART_DELAY_MS;
  }

  handles(pod: V1Pod): boolean {
    return isUpdateAgentPod(pod);
  }

  /** Whether an agent pod runs here now (it may be between a crash and its restart). */
  get running(): boolean {
    return this.#agents.size > 0;
  }

  /**
   * Kills the running agent wherever it is, as a crash of its container would
   * (it gets no chance to tidy up beyond stopping), and lets the pod restart it
   * after the restart delay (or `restartAfterMs`). Returns false when no agent
   * pod runs here.
   */
  crash(options: { readonly reason?: string; readonly restartAfterMs?: number } = {}): boolean {
    const [agent] = this.#agents.values();
    if (agent === undefined) return false;
    const reason = options.reason ?? 'killed';
    agent.nextRestartDelayMs = options.restartAfterMs;
    agent.run.abort(new UpdateAgentPodError(`the update agent was killed: ${reason}`, { reason }));
    return true;
  }

  /** Ends the wait of a killed agent: it restarts now. Returns false when no agent pod runs here. */
  restartNow(): boolean {
    const [agent] = this.#agents.values();
    if (agent === undefined) return false;
    agent.wake.abort();
    return true;
  }

  start(pod: V1Pod, node: NodeContext, report: (status: PodRuntimeStatus) => void): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    const container = pod.spec?.containers[0];
    const agent: RunningAgent = {
      pod: new AbortController(),
      run: new AbortController(),
      nextRestartDelayMs: undefined,
      wake: new AbortController(),
      done: Promise.resolve(),
    };
    this.#agents.set(uid, agent);
    const startTime = new Date();
    const status = (restartCount: number, state: V1ContainerStatus['state']): PodRuntimeStatus => {
      const running = state?.running !== undefined;
      return {
        phase: 'Running',
        ready: running,
        podIP: node.nodeIP,
        startTime,
        containerStatuses: [
          {
            name: container?.name ?? 'agent',
            image: container?.image ?? UPDATE_OPERATOR_IMAGE,
            imageID: '',
            containerID: `strata-in-process://${uid}`,
            ready: running,
            started: running,
            restartCount,
            ...(state === undefined ? {} : { state }),
          },
        ],
      };
    };
    // Runs until the pod stops; a failed or killed agent restarts after a delay, as the kubelet restarts its container.
    agent.done = (async () => {
      for (let restarts = 0; !agent.pod.signal.aborted; restarts += 1) {
        agent.run = new AbortController();
        const signal = AbortSignal.any([agent.pod.signal, agent.run.signal]);
        let failure: string;
        try {
          const kubeConfig = await podKubeConfig(pod, node);
          report(status(restarts, { running: { startedAt: new Date() } }));
          await runAgent({
            kubeConfig,
            nodeName: node.nodeName,
            os: this.#os,
            signal,
            ...(this.#logger === undefined ? {} : { logger: this.#logger }),
          });
          if (agent.pod.signal.aborted) break;
          failure = describe(agent.run.signal.reason);
        } catch (error) {
          if (agent.pod.signal.aborted) break;
          failure = describe(error);
        }
        this.#logger?.error({ node: node.nodeName, reason: failure }, 'the update agent stopped; restarting it');
        report(status(restarts + 1, { waiting: { reason: 'CrashLoopBackOff', message: failure } }));
        agent.wake = new AbortController();
        await pause(
          agent.nextRestartDelayMs ?? this.#restartDelayMs,
          AbortSignal.any([agent.pod.signal, agent.wake.signal]),
        );
        agent.nextRestartDelayMs = undefined;
      }
    })();
    return Promise.resolve();
  }

  async stop(podUid: string): Promise<void> {
    const agent = this.#agents.get(podUid);
    if (agent === undefined) return;
    this.#agents.delete(podUid);
    agent.pod.abort(new UpdateAgentPodError('the agent pod stopped', { pod: podUid }));
    await agent.done;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#agents.keys()].map((uid) => this.stop(uid)));
  }
}
