import { createHash } from 'node:crypto';
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type {
  ContainerLogAnswer,
  ContainerLogRequest,
  NodeContext,
  PodRuntime,
  PodRuntimeStatus,
} from './pod-runtime.ts';
import { placeholderPodIP } from './pod-ip.ts';

export interface PlaceholderPodRuntimeOptions {
  /** The node's spec.podCIDR once the controller-manager has allocated one; pod IPs come from it. */
  readonly podCIDR?: () => string | undefined;
  readonly now?: () => Date;
}

/** The repository an image reference names, as a runtime resolves it: nginx:1.27 → docker.io/library/nginx. */
function repositoryOf(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  const repository = colon > lastSlash ? withoutDigest.slice(0, colon) : withoutDigest;
  const first = repository.split('/')[0] ?? '';
  const hasRegistry = repository.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasRegistry) return repository;
  return repository.includes('/') ? `docker.io/${repository}` : `docker.io/library/${repository}`;
}

const imageIdOf = (image: string): string =>
  `${repositoryOf(image)}@sha256:${createHash('sha256').update(image).digest('hex')}`;

/**
 * Runs nothing, as kwok does: every pod is Running and Ready the moment it
 * starts, with an IP and running containers. It lets a thousand simulated
 * nodes carry the pods a real cluster would without a process each.
 */
export class PlaceholderPodRuntime implements PodRuntime {
  readonly #options: PlaceholderPodRuntimeOptions;
  /** Running pods and their IPs. */
  readonly #running = new Map<string, string>();
  /** Running pods by uid, for the kubelet API's container logs. */
  readonly #pods = new Map<string, V1Pod>();
  /** Pods the machine stopped under them (a reboot): they restart with a higher restartCount. */
  readonly #restarts = new Map<string, number>();

  constructor(options: PlaceholderPodRuntimeOptions = {}) {
    this.#options = options;
  }

  handles(): boolean {
    return true;
  }

  start(pod: V1Pod, node: NodeContext, report: (status: PodRuntimeStatus) => void): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    const now = this.#options.now?.() ?? new Date();
    let podIP = this.#running.get(uid);
    if (podIP === undefined) {
      podIP =
        pod.spec?.hostNetwork === true
          ? node.nodeIP
          : placeholderPodIP(uid, this.#options.podCIDR?.(), new Set(this.#running.values()));
      this.#running.set(uid, podIP);
    }
    this.#pods.set(uid, pod);
    const restartCount = this.#restarts.get(uid) ?? 0;
    const containerStatuses = (pod.spec?.containers ?? []).map((container): V1ContainerStatus => ({
      name: container.name,
      image: container.image ?? '',
      imageID: imageIdOf(container.image ?? ''),
      containerID: `placeholder://${uid}/${container.name}`,
      ready: true,
      started: true,
      restartCount,
      state: { running: { startedAt: now } },
      // What a kubelet reports for containers that were running when their machine went down.
      ...(restartCount === 0
        ? {}
        : { lastState: { terminated: { exitCode: 255, reason: 'Unknown', finishedAt: now } } }),
    }));
    report({ phase: 'Running', ready: true, podIP, startTime: now, containerStatuses });
    return Promise.resolve();
  }

  /** A placeholder runs nothing, so it has no log to give: the kubelet API says so instead of an empty answer. */
  containerLog(
    namespace: string,
    podName: string,
    container: string,
    request: ContainerLogRequest,
  ): ContainerLogAnswer {
    const pod = [...this.#pods.values()].find(
      (candidate) => (candidate.metadata?.namespace ?? 'default') === namespace && candidate.metadata?.name === podName,
    );
    if (pod === undefined) return { kind: 'unknown-pod' };
    if (!(pod.spec?.containers ?? []).some((candidate) => candidate.name === container))
      return { kind: 'unknown-container' };
    const which = request.previous ? 'previous container' : 'container';
    return {
      kind: 'unavailable',
      message: `${which} "${container}" in pod "${podName}" has no log: the simulated node runs this pod as a placeholder, with no process`,
    };
  }

  stop(podUid: string): Promise<void> {
    this.#pods.delete(podUid);
    this.#running.delete(podUid);
    this.#restarts.delete(podUid);
    return Promise.resolve();
  }

  stopAll(): Promise<void> {
    for (const uid of this.#running.keys()) this.#restarts.set(uid, (this.#restarts.get(uid) ?? 0) + 1);
    this.#running.clear();
    this.#pods.clear();
    return Promise.resolve();
  }
}
