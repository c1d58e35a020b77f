import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { ExponentialBackoffRateLimiter, Informer } from '@strata/kube';
import { resolveDrainSettings, type DrainSettingsInput } from './drain-settings.ts';
import { DrainRefusedError, DrainTimeoutError, type BlockingPod } from './errors.ts';
import { deletePodBypassingBudgets, evictPod } from './eviction.ts';
import { selectPodsToDrain, type SkippedPod } from './pod-selection.ts';

export interface PodRef {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/** What a drain reports as it goes, for logs and Events. */
export type DrainEvent =
  | {
      readonly type: 'started';
      readonly evicting: readonly PodRef[];
      readonly awaiting: readonly PodRef[];
      readonly skipped: readonly SkippedPod[];
    }
  | { readonly type: 'evicted'; readonly pod: PodRef }
  | {
      readonly type: 'blocked';
      readonly pod: PodRef;
      readonly budget: string | undefined;
      readonly message: string;
      readonly retryInMs: number;
    }
  | { readonly type: 'deleted'; readonly pod: PodRef }
  /** `force`: a budget refused the eviction for the whole timeout, so the pod was deleted past it. */
  | { readonly type: 'forced'; readonly pod: PodRef; readonly budget: string | undefined }
  | { readonly type: 'watch-error'; readonly error: unknown };

export interface DrainNodeOptions {
  readonly kubeConfig: KubeConfig;
  readonly nodeName: string;
  /** The `drain` part of an UpdatePolicy; left-out fields take the policy's defaults. */
  readonly settings: DrainSettingsInput;
  /** Aborting stops the drain at once (it rejects with the signal's reason); the node stays as it is. */
  readonly signal: AbortSignal;
  readonly onEvent?: (event: DrainEvent) => void;
  /** Back-off between evictions a PodDisruptionBudget refused: 1 s doubling to 10 s by default. */
  readonly retryBaseDelayMs?: number;
  readonly retryMaxDelayMs?: number;
}

export interface DrainResult {
  /** Pods evicted (or already being deleted) that are now gone from the node. */
  readonly removed: readonly PodRef[];
  readonly skipped: readonly SkippedPod[];
  readonly durationMs: number;
}

interface Pending {
  readonly pod: PodRef;
  state: 'evicting' | 'deleting';
  blocker: string | undefined;
}

const refOf = (pod: V1Pod): PodRef => ({
  namespace: pod.metadata?.namespace ?? '',
  name: pod.metadata?.name ?? '',
  uid: pod.metadata?.uid ?? '',
});
const keyOf = (pod: PodRef): string => `${pod.namespace}/${pod.name}`;

/**
 * Drains a node the way `kubectl drain` does, minus the cordon (callers
 * cordon first, see cordon.ts): DaemonSet pods, mirror pods, finished pods and
 * pods matching a skip selector stay; pods without a controller or with
 * emptyDir data fail the drain at once unless `force` / `deleteEmptyDirData`
 * allow them; every other pod is evicted through the Eviction API, so that
 * PodDisruptionBudgets are honoured and a refused eviction is retried with
 * back-off. Only `force` bypasses a budget, and only once it has refused for
 * the whole timeout: the pod is then deleted directly, with a further
 * allowance for it to terminate. Resolves once every evicted pod
 * is gone (deleted, or replaced by a pod with another UID); rejects with
 * DrainTimeoutError naming the pods still there and why once the timeout has
 * run out.
 */
export async function drainNode(options: DrainNodeOptions): Promise<DrainResult> {
  const { kubeConfig, nodeName, signal } = options;
  const settings = resolveDrainSettings(options.settings);
  const emit = options.onEvent ?? (() => undefined);
  signal.throwIfAborted();
  const started = Date.now();
  const deadline = started + settings.timeoutMs;
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const fieldSelector = `spec.nodeName=${nodeName}`;

  const { items } = await core.listPodForAllNamespaces({ fieldSelector });
  const selection = selectPodsToDrain(items, settings);
  if (selection.refused.length > 0) throw new DrainRefusedError(nodeName, selection.refused);

  const pending = new Map<string, Pending>();
  for (const pod of selection.evict)
    pending.set(keyOf(refOf(pod)), { pod: refOf(pod), state: 'evicting', blocker: undefined });
  for (const pod of selection.awaitDeletion)
    pending.set(keyOf(refOf(pod)), { pod: refOf(pod), state: 'deleting', blocker: undefined });
  emit({
    type: 'started',
    evicting: selection.evict.map(refOf),
    awaiting: selection.awaitDeletion.map(refOf),
    skipped: selection.skipped,
  });

  const wakers = new Set<() => void>();
  const pods = new Informer<V1Pod>({
    kubeConfig,
    path: '/api/v1/pods',
    list: (selectors) => core.listPodForAllNamespaces(selectors),
    fieldSelector,
    onChange: () => {
      for (const wake of wakers) wake();
    },
    onError: (error) => emit({ type: 'watch-error', error }),
    backoff: { baseDelayMs: 500, maxDelayMs: 30_000 },
  });
  const isGone = (entry: Pending): boolean =>
    pods.hasSynced && pods.get(entry.pod.name, entry.pod.namespace)?.metadata?.uid !== entry.pod.uid;
  const removed: PodRef[] = [];
  let forcedAny = false;
  const settle = (): boolean => {
    for (const [key, entry] of pending) {
      if (entry.state === 'deleting' && isGone(entry)) {
        pending.delete(key);
        removed.push(entry.pod);
        emit({ type: 'deleted', pod: entry.pod });
      }
    }
    return pending.size === 0;
  };

  try {
    if (!(await untilDeadline(pods.start(), deadline, signal))) throw timeout(nodeName, settings.timeoutMs, pending);
    const backoff = new ExponentialBackoffRateLimiter({
      baseDelayMs: options.retryBaseDelayMs ?? 1_000,
      maxDelayMs: options.retryMaxDelayMs ?? 10_000,
    });
    await Promise.all(
      [...pending.values()]
        .filter((entry) => entry.state === 'evicting')
        .map(async (entry) => {
          const pod = selection.evict.find((candidate) => keyOf(refOf(candidate)) === keyOf(entry.pod));
          if (pod === undefined) return;
          for (;;) {
            signal.throwIfAborted();
            const outcome = await evictPod(core, pod, settings.gracePeriodSeconds);
            if (outcome.kind !== 'blocked') {
              entry.state = 'deleting';
              entry.blocker = undefined;
              if (outcome.kind === 'evicted') emit({ type: 'evicted', pod: entry.pod });
              return;
            }
            const retryInMs = backoff.when(keyOf(entry.pod));
            entry.blocker =
              outcome.budget === undefined
                ? outcome.message
                : `PodDisruptionBudget ${outcome.budget}: ${outcome.message}`;
            emit({ type: 'blocked', pod: entry.pod, budget: outcome.budget, message: outcome.message, retryInMs });
            if (!(await sleepUntil(retryInMs, deadline, signal))) {
              if (settings.force && outcome.budget !== undefined) {
                await deletePodBypassingBudgets(core, pod, settings.gracePeriodSeconds);
                entry.state = 'deleting';
                entry.blocker = undefined;
                forcedAny = true;
                emit({ type: 'forced', pod: entry.pod, budget: outcome.budget });
              }
              return;
            }
          }
        }),
    );
    const settleBy = forcedAny ? Date.now() + forcedTerminationAllowanceMs(settings.gracePeriodSeconds) : deadline;
    if (!(await waitUntil(settle, wakers, settleBy, signal))) throw timeout(nodeName, settings.timeoutMs, pending);
  } finally {
    await pods.stop();
  }
  return { removed, skipped: selection.skipped, durationMs: Date.now() - started };
}

/** How long a pod deleted past the timeout gets to terminate: its grace period (30 s when it keeps its own) and 10 s. */
function forcedTerminationAllowanceMs(gracePeriodSeconds: number): number {
  return ((gracePeriodSeconds >= 0 ? gracePeriodSeconds : 30) + 10) * 1000;
}

function timeout(nodeName: string, timeoutMs: number, pending: ReadonlyMap<string, Pending>): DrainTimeoutError {
  const blocking: BlockingPod[] = [...pending.values()].map(({ pod, state, blocker }) => ({
    namespace: pod.namespace,
    name: pod.name,
    reason: state === 'deleting' ? 'evicted but still terminating' : (blocker ?? 'eviction not yet accepted'),
  }));
  return new DrainTimeoutError(nodeName, timeoutMs, blocking);
}

/** Sleeps `ms` or until the deadline, whichever is first; false when the deadline came first. Rejects on abort. */
async function sleepUntil(ms: number, deadline: number, signal: AbortSignal): Promise<boolean> {
  const remaining = deadline - Date.now();
  if (remaining <= 0) return false;
  await sleep(Math.min(ms, remaining), undefined, { signal });
  return ms < remaining;
}

/** Awaits `work` unless the deadline comes first (false). Rejects on abort. */
async function untilDeadline(work: Promise<unknown>, deadline: number, signal: AbortSignal): Promise<boolean> {
  const controller = new AbortController();
  const both = AbortSignal.any([signal, controller.signal]);
  try {
    return await Promise.race([
      work.then(() => true),
      sleep(Math.max(0, deadline - Date.now()), false, { signal: both }),
    ]);
  } finally {
    controller.abort();
  }
}

/** Resolves true as soon as `done()` holds (checked at every wake-up), false at the deadline. Rejects on abort. */
function waitUntil(
  done: () => boolean,
  wakers: Set<() => void>,
  deadline: number,
  signal: AbortSignal,
): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const finish = (result: boolean | Error): void => {
      wakers.delete(check);
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const check = (): void => {
      try {
        if (done()) finish(true);
      } catch (error) {
        finish(error instanceof Error ? error : new Error(String(error)));
      }
    };
    const onAbort = (): void =>
      finish(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
    const timer = setTimeout(() => finish(done()), Math.max(0, deadline - Date.now()));
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    wakers.add(check);
    check();
  });
}
