import type { V1Pod } from '@kubernetes/client-node';
import { StrataError } from '@strata/api';
import type { BackoffOptions } from '@strata/kube';
import type {
  ContainerLogAnswer,
  ContainerLogRequest,
  NodeContext,
  PodRuntime,
  PodRuntimeStatus,
} from '../node/pod-runtime.ts';
import type { ImageMap } from './image-map.ts';
import { sharedPodAddressPool, type PodAddressPool } from './pod-addresses.ts';
import { PodWorker } from './pod-worker.ts';
import type { Check } from './probes.ts';

export class PodRuntimeError extends StrataError {}

/** The kubelet's crash-loop back-off: 10 s, doubling up to 5 min, forgotten after 10 min of running. */
export const KUBELET_BACK_OFF: BackoffOptions = { baseDelayMs: 10_000, maxDelayMs: 300_000, resetAfterMs: 600_000 };

/** The kubelet's volume manager retries a failed mount from 500 ms, doubling up to about 2 min. */
export const SETUP_BACK_OFF: BackoffOptions = { baseDelayMs: 500, maxDelayMs: 122_000 };

export interface ProcessPodRuntimeOptions {
  readonly images: ImageMap;
  /** Defaults to the pool over 127.0.64.0/18 that every runtime of this process shares. */
  readonly addresses?: PodAddressPool;
  /** Crash-loop back-off; defaults to the kubelet's 10 s doubling to 5 min. */
  readonly restartBackOff?: BackoffOptions;
  /** Retry of a pod whose config maps, secrets or tokens cannot be had yet. */
  readonly setupBackOff?: BackoffOptions;
  /** Replaces how a probe's handler runs; for tests. */
  readonly check?: Check;
}

/**
 * Runs pods whose every image has a local command in the image map as plain
 * processes of this machine: one process per container, on a loopback
 * address of its own. No isolation of any kind: see README.md.
 */
export class ProcessPodRuntime implements PodRuntime {
  readonly images: ImageMap;
  readonly #options: ProcessPodRuntimeOptions;
  readonly #addresses: PodAddressPool;
  readonly #workers = new Map<string, PodWorker>();

  constructor(options: ProcessPodRuntimeOptions) {
    this.#options = options;
    this.images = options.images;
    this.#addresses = options.addresses ?? sharedPodAddressPool();
  }

  handles(pod: V1Pod): boolean {
    const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
    return (
      (pod.spec?.containers ?? []).length > 0 && containers.every((container) => this.images.has(container.image ?? ''))
    );
  }

  /** Resolves once the first attempt to set the pod up is over; status then arrives through `report`. Starting a running pod again does nothing. */
  async start(pod: V1Pod, node: NodeContext, report: (status: PodRuntimeStatus) => void): Promise<void> {
    const uid = pod.metadata?.uid;
    if (uid === undefined || uid === '') {
      throw new PodRuntimeError(`pod ${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''} has no uid`, {
        pod: pod.metadata?.name,
      });
    }
    if (!this.handles(pod)) {
      throw new PodRuntimeError(
        `pod ${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''} has an image with no local command`,
        {
          pod: pod.metadata?.name,
        },
      );
    }
    const running = this.#workers.get(uid);
    if (running !== undefined) return running.launched;
    const worker = PodWorker.start({
      pod,
      node,
      report,
      images: this.images,
      addresses: this.#addresses,
      restartBackOff: this.#options.restartBackOff ?? KUBELET_BACK_OFF,
      setupBackOff: this.#options.setupBackOff ?? SETUP_BACK_OFF,
      ...(this.#options.check === undefined ? {} : { check: this.#options.check }),
    });
    this.#workers.set(uid, worker);
    await worker.launched;
  }

  async stop(podUid: string, gracePeriodSeconds: number): Promise<void> {
    const worker = this.#workers.get(podUid);
    if (worker === undefined) return;
    try {
      await worker.stop(Math.max(0, gracePeriodSeconds) * 1000);
    } finally {
      if (this.#workers.get(podUid) === worker) this.#workers.delete(podUid);
    }
  }

  async stopAll(gracePeriodSeconds: number): Promise<void> {
    await Promise.all([...this.#workers.keys()].map((uid) => this.stop(uid, gracePeriodSeconds)));
  }

  containerLog(
    namespace: string,
    podName: string,
    container: string,
    request: ContainerLogRequest,
  ): ContainerLogAnswer {
    const worker = [...this.#workers.values()].find(
      (candidate) => candidate.namespace === namespace && candidate.name === podName,
    );
    return worker === undefined ? { kind: 'unknown-pod' } : worker.containerLog(container, request);
  }

  /** The uids of the pods this runtime runs. */
  podUids(): string[] {
    return [...this.#workers.keys()];
  }
}
