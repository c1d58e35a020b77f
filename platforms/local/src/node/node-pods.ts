import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { isConflict, isNotFound } from '@strata/kube';
import type { PodEvents } from './pod-feed.ts';
import type { NodeContext, PodRuntime, PodRuntimeStatus } from './pod-runtime.ts';
import { PodStatusWriter, type PodStatusClient } from './pod-status-writer.ts';

export interface NodePodsOptions {
  readonly context: NodeContext;
  readonly runtimes: readonly PodRuntime[];
  /** As the node: it writes its pods' status and makes their final delete. */
  readonly client: PodStatusClient & Pick<CoreV1Api, 'deleteNamespacedPod'>;
  readonly onError: (error: unknown, activity: string) => void;
  readonly now?: () => Date;
}

/** What the kubelet waits for a pod whose grace period nobody set (the API default). */
const DEFAULT_GRACE_SECONDS = 30;

interface TrackedPod {
  pod: V1Pod;
  /** The runtime that has the pod; undefined until it is started. */
  runtime: PodRuntime | undefined;
  /** running: started and not stopped; stopped: its machine went down under it; terminating: being stopped for deletion. */
  state: 'new' | 'running' | 'stopped' | 'terminating' | 'deleted';
}

const isSet = <T>(value: T | null | undefined): value is T => value !== undefined && value !== null;
const isTerminal = (pod: V1Pod): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
const describe = (pod: V1Pod): string => `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;

/** Orders two versions of one object; resourceVersions are etcd revisions, so numeric order is age. */
function newer(candidate: V1Pod, current: V1Pod): boolean {
  const a = candidate.metadata?.resourceVersion ?? '';
  const b = current.metadata?.resourceVersion ?? '';
  if (!/^\d+$/.test(a) || !/^\d+$/.test(b)) return true;
  return BigInt(a) >= BigInt(b);
}

/**
 * The pod side of the kubelet: starts each pod bound to the node in the
 * first runtime that takes it, reports its status, and on deletion stops it
 * within its grace period and makes the final delete. Events are handled
 * idempotently: a pod is started once however often it is seen.
 */
export class NodePods implements PodEvents {
  readonly #options: NodePodsOptions;
  readonly #pods = new Map<string, TrackedPod>();
  readonly #writer: PodStatusWriter;
  readonly #work = new Set<Promise<void>>();
  #up = false;

  constructor(options: NodePodsOptions) {
    this.#options = options;
    this.#writer = new PodStatusWriter({
      client: options.client,
      nodeIP: options.context.nodeIP,
      latest: (uid) => this.#pods.get(uid)?.pod,
      observed: (pod) => this.#observe(pod),
      onError: (error, pod) => options.onError(error, `writing the status of pod ${pod}`),
      ...(options.now === undefined ? {} : { now: options.now }),
    });
  }

  /** Pods the node currently runs, by UID. */
  get running(): number {
    return [...this.#pods.values()].filter((tracked) => tracked.state === 'running').length;
  }

  upsert(pod: V1Pod): void {
    const tracked = this.#observe(pod);
    if (this.#up && tracked !== undefined) this.#sync(tracked);
  }

  remove(pod: V1Pod): void {
    const uid = pod.metadata?.uid ?? '';
    const tracked = this.#pods.get(uid);
    if (tracked === undefined) return;
    this.#pods.delete(uid);
    this.#writer.forget(uid);
    // Deleted without us (force delete, or while terminating): its containers must not outlive it.
    if (tracked.runtime !== undefined && (tracked.state === 'running' || tracked.state === 'stopped')) {
      const runtime = tracked.runtime;
      this.#track(runtime.stop(uid, 0), `stopping removed pod ${describe(pod)}`);
    }
  }

  /** The machine is up: run every pod bound here, including those that were running when it went down. */
  boot(): void {
    this.#up = true;
    this.#writer.resume();
    for (const tracked of this.#pods.values()) this.#sync(tracked);
  }

  /** The machine goes down: every runtime stops its pods at once within the grace period; nothing more is written. */
  async shutdown(gracePeriodSeconds: number): Promise<void> {
    this.#up = false;
    this.#writer.pause();
    await Promise.allSettled(this.#work);
    const results = await Promise.allSettled(
      this.#options.runtimes.map((runtime) => runtime.stopAll(gracePeriodSeconds)),
    );
    for (const result of results) {
      if (result.status === 'rejected') this.#options.onError(result.reason, 'stopping all pods');
    }
    for (const tracked of this.#pods.values()) {
      if (tracked.state === 'running' || tracked.state === 'terminating') tracked.state = 'stopped';
    }
    await this.#writer.idle();
  }

  #observe(pod: V1Pod): TrackedPod | undefined {
    const uid = pod.metadata?.uid;
    if (uid === undefined) return undefined;
    const tracked = this.#pods.get(uid);
    if (tracked === undefined) {
      const fresh: TrackedPod = { pod, runtime: undefined, state: 'new' };
      this.#pods.set(uid, fresh);
      return fresh;
    }
    if (newer(pod, tracked.pod)) tracked.pod = pod;
    return tracked;
  }

  #sync(tracked: TrackedPod): void {
    const { pod } = tracked;
    if (isSet(pod.metadata?.deletionTimestamp)) {
      if (tracked.state !== 'terminating' && tracked.state !== 'deleted')
        this.#track(this.#terminate(tracked), `deleting pod ${describe(pod)}`);
      return;
    }
    if (tracked.state === 'running' || tracked.state === 'terminating' || tracked.state === 'deleted') return;
    if (isTerminal(pod)) return;
    this.#track(this.#start(tracked), `starting pod ${describe(pod)}`);
  }

  async #start(tracked: TrackedPod): Promise<void> {
    const { pod } = tracked;
    const uid = pod.metadata?.uid ?? '';
    const runtime = tracked.runtime ?? this.#options.runtimes.find((candidate) => candidate.handles(pod));
    if (runtime === undefined) {
      this.#options.onError(
        new Error(`no pod runtime of node ${this.#options.context.nodeName} handles pod ${describe(pod)}`),
        'starting pods',
      );
      return;
    }
    tracked.runtime = runtime;
    tracked.state = 'running';
    const report = (status: PodRuntimeStatus) => {
      // A runtime may report after the pod was stopped; the kubelet would not write that.
      if (this.#up && this.#pods.get(uid)?.state === 'running') this.#writer.write(uid, status);
    };
    try {
      await runtime.start(pod, this.#options.context, report);
    } catch (error) {
      report({
        phase: 'Pending',
        ready: false,
        reason: 'StartError',
        message: error instanceof Error ? error.message : String(error),
      });
      throw error;
    }
  }

  async #terminate(tracked: TrackedPod): Promise<void> {
    const { pod } = tracked;
    const uid = pod.metadata?.uid ?? '';
    const wasRunning = tracked.state === 'running' || tracked.state === 'stopped';
    tracked.state = 'terminating';
    this.#writer.forget(uid);
    const grace =
      pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
    if (wasRunning && tracked.runtime !== undefined) await tracked.runtime.stop(uid, grace);
    // The machine went down while we waited: the final delete is for after it is back.
    if (!this.#up) return;
    try {
      // The kubelet's final delete: grace 0, and only of this incarnation of the pod.
      await this.#options.client.deleteNamespacedPod({
        name: pod.metadata?.name ?? '',
        namespace: pod.metadata?.namespace ?? '',
        gracePeriodSeconds: 0,
        body: { gracePeriodSeconds: 0, preconditions: { uid } },
      });
    } catch (error) {
      if (!isNotFound(error) && !isConflict(error)) throw error;
    }
    tracked.state = 'deleted';
  }

  #track(work: Promise<void>, activity: string): void {
    const tracked = work.catch((error: unknown) => this.#options.onError(error, activity));
    this.#work.add(tracked);
    void tracked.finally(() => this.#work.delete(tracked));
  }
}
