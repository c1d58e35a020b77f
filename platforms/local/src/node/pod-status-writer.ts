import { PatchStrategy, setHeaderOptions, type CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { isConflict, isNotFound } from '@strata/kube';
import type { PodRuntimeStatus } from './pod-runtime.ts';
import { podStatus, podStatusFingerprint } from './pod-status.ts';

export interface PodStatusWriterOptions {
  /** As the node (NodeRestriction lets it write the status of its own pods only). */
  readonly client: PodStatusClient;
  readonly nodeIP: string;
  /** The newest version of a pod this node has seen. */
  readonly latest: (uid: string) => V1Pod | undefined;
  /** A newer version of a pod, from a write's answer or a re-read. */
  readonly observed: (pod: V1Pod) => void;
  readonly onError: (error: unknown, pod: string) => void;
  readonly now?: () => Date;
}

export type PodStatusClient = Pick<CoreV1Api, 'patchNamespacedPodStatus' | 'readNamespacedPodStatus'>;

const MAX_ATTEMPTS = 5;

const podName = (pod: V1Pod): string => `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;

/**
 * Writes runtime reports to pods' status subresource: one write in flight per
 * pod, later reports replacing queued ones, nothing written that the pod
 * already shows, and a write that conflicts redone on the fresh pod.
 */
export class PodStatusWriter {
  readonly #options: PodStatusWriterOptions;
  readonly #queued = new Map<string, PodRuntimeStatus>();
  readonly #inFlight = new Map<string, Promise<void>>();
  #paused = false;

  constructor(options: PodStatusWriterOptions) {
    this.#options = options;
  }

  write(uid: string, status: PodRuntimeStatus): void {
    if (this.#paused) return;
    this.#queued.set(uid, status);
    if (!this.#inFlight.has(uid)) this.#drain(uid);
  }

  /** Drops what is queued for the pod; a write already sent completes. */
  forget(uid: string): void {
    this.#queued.delete(uid);
  }

  /** The kubelet is down: nothing queued or reported from now on is written. */
  pause(): void {
    this.#paused = true;
    this.#queued.clear();
  }

  resume(): void {
    this.#paused = false;
  }

  /** Resolves when no write is in flight. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight.values());
  }

  #drain(uid: string): void {
    const status = this.#queued.get(uid);
    if (status === undefined) return;
    this.#queued.delete(uid);
    const run = this.#write(uid, status)
      .catch((error: unknown) => {
        const pod = this.#options.latest(uid);
        this.#options.onError(error, pod === undefined ? uid : podName(pod));
      })
      .finally(() => {
        this.#inFlight.delete(uid);
        this.#drain(uid);
      });
    this.#inFlight.set(uid, run);
  }

  async #write(uid: string, reported: PodRuntimeStatus): Promise<void> {
    const { client, nodeIP, now = () => new Date() } = this.#options;
    let pod = this.#options.latest(uid);
    for (let attempt = 1; pod !== undefined && attempt <= MAX_ATTEMPTS; attempt += 1) {
      if (pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null) return;
      const status = podStatus(pod, reported, nodeIP, now());
      if (podStatusFingerprint(status) === podStatusFingerprint(pod.status)) return;
      const name = pod.metadata?.name ?? '';
      const namespace = pod.metadata?.namespace ?? '';
      try {
        const written = await client.patchNamespacedPodStatus(
          // uid and resourceVersion make the patch conditional: another writer in between means 409, not a lost update.
          { name, namespace, body: { metadata: { uid, resourceVersion: pod.metadata?.resourceVersion }, status } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
        this.#options.observed(written);
        return;
      } catch (error) {
        if (isNotFound(error)) return;
        if (!isConflict(error) || attempt === MAX_ATTEMPTS) throw error;
        pod = await client.readNamespacedPodStatus({ name, namespace });
        if (pod.metadata?.uid !== uid) return;
        this.#options.observed(pod);
      }
    }
  }
}
