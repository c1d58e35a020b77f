import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Container, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { Backoff, type BackoffOptions } from '@strata/kube';
import type { ContainerLogAnswer, ContainerLogRequest, NodeContext, PodRuntimeStatus } from '../node/pod-runtime.ts';
import { openContainerLog } from './container-log.ts';
import { apiServerEnv, ContainerEnvError } from './container-env.ts';
import { planContainer, type PlanContext } from './container-plan.ts';
import { ContainerRunner, type ContainerPlan, type ContainerRestartPolicy } from './container-runner.ts';
import { DownwardApiError } from './downward-api.ts';
import type { ImageMap } from './image-map.ts';
import type { PodAddressPool } from './pod-addresses.ts';
import { PodObjects, UnsupportedClaimError } from './pod-objects.ts';
import { LocalVolumeError } from '../storage/local-volumes.ts';
import { isReady, podPhase, waitingStatuses } from './pod-status.ts';
import type { Check } from './probes.ts';
import { VolumeMountError } from './volume-mounts.ts';
import { materializeVolumes, UnsupportedVolumeError, VolumePathError, type PodVolumes } from './volumes.ts';

export interface PodWorkerOptions {
  readonly pod: V1Pod;
  readonly node: NodeContext;
  readonly report: (status: PodRuntimeStatus) => void;
  readonly images: ImageMap;
  readonly addresses: PodAddressPool;
  readonly restartBackOff: BackoffOptions;
  /** How often a pod whose config maps, secrets or tokens cannot be had yet is retried. */
  readonly setupBackOff: BackoffOptions;
  readonly check?: Check;
}

/** Problems in the pod itself, which no retry will fix. */
const PERMANENT = [
  UnsupportedVolumeError,
  UnsupportedClaimError,
  LocalVolumeError,
  VolumePathError,
  VolumeMountError,
  DownwardApiError,
  ContainerEnvError,
];

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** A container restart count the pod's status already shows, continued after a node reboot. */
function previousRestarts(pod: V1Pod, name: string): number {
  const status = pod.status?.containerStatuses?.find((candidate) => candidate.name === name);
  if (status === undefined) return 0;
  const ran =
    status.state?.running !== undefined ||
    status.state?.terminated !== undefined ||
    status.lastState?.terminated !== undefined;
  return status.restartCount + (ran ? 1 : 0);
}

/** The directories of one pod on its node. */
export function podPaths(stateDir: string, pod: V1Pod): { podDir: string; logDir: string } {
  const { uid = '', name = '', namespace = 'default' } = pod.metadata ?? {};
  return { podDir: join(stateDir, 'pods', uid), logDir: join(stateDir, 'pods', `${namespace}_${name}_${uid}`) };
}

/**
 * One pod's life on a node: its address and volumes, its init containers in
 * order, then its containers, and at the end its teardown.
 */
export class PodWorker {
  readonly uid: string;
  /** Resolves when the first attempt to set the pod up is over, whether its containers run or it waits for something. */
  readonly launched: Promise<void>;
  readonly #options: PodWorkerOptions;
  readonly #pod: V1Pod;
  readonly #podName: string;
  readonly #paths: { podDir: string; logDir: string };
  readonly #startTime = new Date();
  readonly #abort = new AbortController();
  readonly #lifecycle: Promise<void>;
  #podIP: string | undefined;
  #volumes: PodVolumes | undefined;
  #setupProblem: string | undefined;
  #initProblem: string | undefined;
  #initFailed = false;
  readonly #initRunners: ContainerRunner[] = [];
  readonly #runners: ContainerRunner[] = [];
  #stopping: Promise<void> | undefined;
  #stopRequested = false;
  #renewalProblem: string | undefined;
  #lastReport = '';
  #markLaunched: () => void = () => undefined;

  private constructor(options: PodWorkerOptions) {
    this.#options = options;
    this.#pod = options.pod;
    this.uid = options.pod.metadata?.uid ?? '';
    const { name = '', namespace = 'default' } = options.pod.metadata ?? {};
    this.#podName = `${name}_${namespace}(${this.uid})`;
    this.#paths = podPaths(options.node.stateDir, options.pod);
    this.launched = new Promise((resolve) => (this.#markLaunched = resolve));
    this.#lifecycle = this.#live()
      .catch((error: unknown) => {
        this.#setupProblem = `the pod runtime failed: ${errorText(error)}`;
        this.#update();
      })
      .finally(() => this.#markLaunched());
  }

  static start(options: PodWorkerOptions): PodWorker {
    return new PodWorker(options);
  }

  get #restartPolicy(): ContainerRestartPolicy {
    return this.#pod.spec?.restartPolicy === 'Never' || this.#pod.spec?.restartPolicy === 'OnFailure'
      ? this.#pod.spec.restartPolicy
      : 'Always';
  }

  get #gracePeriodMs(): number {
    return (this.#pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000;
  }

  get namespace(): string {
    return this.#pod.metadata?.namespace ?? 'default';
  }

  get name(): string {
    return this.#pod.metadata?.name ?? '';
  }

  /** A container's log, as the kubelet finds it for /containerLogs (its error messages included). */
  containerLog(container: string, request: ContainerLogRequest): ContainerLogAnswer {
    const spec = [...(this.#pod.spec?.initContainers ?? []), ...(this.#pod.spec?.containers ?? [])];
    if (!spec.some((candidate) => candidate.name === container)) return { kind: 'unknown-container' };
    const runner = [...this.#initRunners, ...this.#runners].find((candidate) => candidate.name === container);
    const where = runner?.logOf(request.previous) ?? { problem: 'waiting', reason: 'ContainerCreating' };
    if ('problem' in where) {
      const message =
        where.problem === 'no-previous'
          ? `previous terminated container "${container}" in pod "${this.name}" not found`
          : `container "${container}" in pod "${this.name}" is waiting to start: ${where.reason}`;
      return { kind: 'unavailable', message };
    }
    return {
      kind: 'log',
      read: (signal) =>
        openContainerLog(
          where.file,
          {
            follow: request.follow,
            timestamps: request.timestamps,
            ...(request.tailLines === undefined ? {} : { tailLines: request.tailLines }),
            ...(request.since === undefined ? {} : { since: request.since }),
            ...(request.limitBytes === undefined ? {} : { limitBytes: request.limitBytes }),
            ...(request.stream === undefined ? {} : { stream: request.stream }),
          },
          { running: where.running, signal },
        ),
    };
  }

  /** Stops the containers (main ones first, then sidecars, within one grace period) and removes what the pod had. */
  stop(gracePeriodMs: number): Promise<void> {
    if (this.#stopping === undefined) {
      this.#stopRequested = true;
      this.#stopping = this.#teardown(gracePeriodMs);
    }
    return this.#stopping;
  }

  async #teardown(gracePeriodMs: number): Promise<void> {
    const deadline = Date.now() + gracePeriodMs;
    this.#abort.abort();
    await Promise.all(this.#runners.map((runner) => runner.stop(gracePeriodMs)));
    await Promise.all(this.#initRunners.map((runner) => runner.stop(Math.max(0, deadline - Date.now()))));
    await this.#lifecycle;
    this.#volumes?.close();
    if (!this.#hostNetwork) this.#options.addresses.release(this.uid);
    await rm(this.#paths.podDir, { recursive: true, force: true, maxRetries: 3 });
  }

  get #hostNetwork(): boolean {
    return this.#pod.spec?.hostNetwork === true;
  }

  async #live(): Promise<void> {
    this.#update();
    const plans = await this.#setUpWithRetries();
    if (plans === undefined || this.#stopRequested) return;
    this.#markLaunched();
    if (!(await this.#runInitContainers(plans.init)) || this.#stopRequested) return;
    for (const plan of plans.main) this.#runners.push(this.#runner(plan, this.#restartPolicy));
    this.#update();
  }

  async #setUpWithRetries(): Promise<{ init: ContainerPlan[]; main: ContainerPlan[] } | undefined> {
    const backOff = new Backoff(this.#options.setupBackOff);
    for (;;) {
      try {
        const plans = await this.#setUp();
        this.#setupProblem = undefined;
        return plans;
      } catch (error) {
        if (this.#stopRequested) return undefined;
        this.#setupProblem = errorText(error);
        this.#update();
        this.#markLaunched();
        if (PERMANENT.some((kind) => error instanceof kind)) return undefined;
      }
      try {
        await sleep(backOff.next(), undefined, { signal: this.#abort.signal });
      } catch {
        return undefined;
      }
    }
  }

  async #setUp(): Promise<{ init: ContainerPlan[]; main: ContainerPlan[] }> {
    const { node } = this.#options;
    this.#podIP ??= this.#hostNetwork ? node.nodeIP : this.#options.addresses.allocate(this.uid);
    // Secrets land below it; nobody else on this machine may read them.
    await mkdir(this.#paths.podDir, { recursive: true, mode: 0o700 });
    await mkdir(this.#paths.logDir, { recursive: true });
    const objects = new PodObjects(node.kubeConfig, this.#pod);
    const facts = { pod: this.#pod, nodeName: node.nodeName, hostIP: node.nodeIP, podIP: this.#podIP };
    this.#volumes?.close();
    this.#volumes = await materializeVolumes({
      pod: this.#pod,
      nodeStateDir: node.stateDir,
      podDir: this.#paths.podDir,
      facts,
      objects,
      onTokenRenewal: (problem) => {
        this.#renewalProblem = problem === undefined ? undefined : `renewing a service account token: ${problem}`;
        this.#update();
      },
    });
    const context: PlanContext = {
      pod: this.#pod,
      images: this.#options.images,
      volumes: this.#volumes,
      podDir: this.#paths.podDir,
      logDir: this.#paths.logDir,
      facts,
      objects,
      serviceEnv: apiServerEnv(node.kubeConfig),
    };
    const plan = async (containers: readonly V1Container[]): Promise<ContainerPlan[]> => {
      const plans: ContainerPlan[] = [];
      for (const container of containers) plans.push(await planContainer(container, context));
      return plans;
    };
    return {
      init: await plan(this.#pod.spec?.initContainers ?? []),
      main: await plan(this.#pod.spec?.containers ?? []),
    };
  }

  /** Runs init containers in order; a sidecar (restartPolicy Always) only has to start. False if the pod cannot go on. */
  async #runInitContainers(plans: readonly ContainerPlan[]): Promise<boolean> {
    for (const plan of plans) {
      if (this.#stopRequested) return false;
      const sidecar = plan.container.restartPolicy === 'Always';
      const runner = this.#runner(plan, sidecar ? 'Always' : this.#restartPolicy === 'Never' ? 'Never' : 'OnFailure');
      this.#initRunners.push(runner);
      this.#initProblem = `waiting for init container ${plan.container.name}`;
      this.#update();
      if (sidecar) {
        if (!(await runner.started)) return false;
        continue;
      }
      const exitCode = await runner.finished;
      if (this.#stopRequested) return false;
      if (exitCode !== 0) {
        this.#initFailed = true;
        this.#initProblem = `init container ${plan.container.name} failed with exit code ${exitCode ?? 'unknown'}`;
        this.#update();
        // The pod has failed for good: its sidecars have nothing left to serve.
        await Promise.all(this.#initRunners.map((each) => each.stop(this.#gracePeriodMs)));
        return false;
      }
    }
    this.#initProblem = undefined;
    return true;
  }

  #runner(plan: ContainerPlan, restartPolicy: ContainerRestartPolicy): ContainerRunner {
    return ContainerRunner.start({
      plan,
      restartPolicy,
      backOff: this.#options.restartBackOff,
      podName: this.#podName,
      gracePeriodMs: this.#gracePeriodMs,
      removeWhenOrphaned: [this.#paths.podDir],
      initialRestartCount: previousRestarts(this.#pod, plan.container.name),
      onChange: () => this.#update(),
      ...(this.#options.check === undefined ? {} : { check: this.#options.check }),
    });
  }

  #status(): PodRuntimeStatus {
    const containers = this.#pod.spec?.containers ?? [];
    const base = {
      startTime: this.#startTime,
      ...(this.#podIP === undefined ? {} : { podIP: this.#podIP }),
    };
    if (this.#setupProblem !== undefined && this.#runners.length === 0) {
      const statuses = waitingStatuses(containers, 'CreateContainerConfigError', this.#setupProblem);
      return { ...base, phase: 'Pending', ready: false, containerStatuses: statuses, message: this.#setupProblem };
    }
    if (this.#runners.length === 0) {
      const initializing = this.#initRunners.length > 0 || (this.#pod.spec?.initContainers ?? []).length > 0;
      const statuses = waitingStatuses(containers, initializing ? 'PodInitializing' : 'ContainerCreating');
      const initStatus = this.#initRunners.at(-1)?.status();
      const initWaiting = initStatus?.state?.waiting?.message;
      const message = [this.#initProblem, initWaiting].filter((part) => part !== undefined).join(': ');
      return {
        ...base,
        phase: this.#initFailed ? 'Failed' : 'Pending',
        ready: false,
        containerStatuses: statuses,
        ...(message === '' ? {} : { message }),
      };
    }
    const statuses: V1ContainerStatus[] = this.#runners.map((runner) => runner.status());
    const phase = podPhase(statuses, this.#restartPolicy);
    return {
      ...base,
      phase,
      ready: isReady(phase, statuses),
      containerStatuses: statuses,
      ...(this.#renewalProblem === undefined ? {} : { message: this.#renewalProblem }),
    };
  }

  /** Reports the status if it changed; nothing is reported once the pod is being stopped. */
  #update(): void {
    if (this.#stopRequested) return;
    const status = this.#status();
    const text = JSON.stringify(status);
    if (text === this.#lastReport) return;
    this.#lastReport = text;
    try {
      this.#options.report(status);
    } catch {
      // A failing reporter must not take the pod down; the next change reports again.
      this.#lastReport = '';
    }
  }
}
