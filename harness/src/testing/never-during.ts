import { Watch, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { StrataError } from '@strata/api';

export type WatchedChange = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchedEvent<T> {
  readonly type: WatchedChange;
  readonly object: T;
}

export interface NeverDuringOptions<T extends KubernetesObject> {
  /** What must not happen, for messages: "the node rebooted again". */
  readonly what: string;
  /** The collection to watch: /api/v1/nodes, /apis/coordination.k8s.io/v1/namespaces/default/leases. */
  readonly path: string;
  /** Only the object of this name. */
  readonly name?: string;
  readonly ms: number;
  /** Why `object`, as it is at the start or after a change, breaks the rule; undefined while it does not. */
  readonly forbidden: (object: T, type: WatchedChange) => string | undefined;
}

const WATCH_INACTIVITY_LIMIT_MS = 25_000;

/** A forbidden state was seen, or the watch could not vouch for the whole interval. */
export class WatchedIntervalError extends StrataError {}

/**
 * Proves that something does not happen during an interval by watching for
 * all of it, rather than by looking once after a sleep: fails as soon as the
 * objects as they are when the watch starts (the API server sends them first)
 * or any change during the next `ms` is forbidden, and fails too if the
 * watch ends or errs before the interval is over, since the changes it would
 * have missed cannot be vouched for. Resolves with every event seen, for
 * tests that also want to see that things did happen (a lease renewed).
 */
export async function neverDuring<T extends KubernetesObject>(
  kubeConfig: KubeConfig,
  options: NeverDuringOptions<T>,
): Promise<WatchedEvent<T>[]> {
  const seen: WatchedEvent<T>[] = [];
  const context = { what: options.what, path: options.path, name: options.name, ms: options.ms };
  // client-node ends a watch that delivers nothing for 30 s, which a quiet
  // object would do in a longer interval; every use so far needs seconds.
  if (options.ms >= WATCH_INACTIVITY_LIMIT_MS) {
    throw new WatchedIntervalError(
      `cannot watch "${options.what}" for ${options.ms} ms: at most ${WATCH_INACTIVITY_LIMIT_MS} ms`,
      context,
    );
  }
  const watch = new Watch(kubeConfig);
  let settled = false;
  let controller: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;
  return new Promise<WatchedEvent<T>[]>((resolve, reject) => {
    const fail = (message: string, cause?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      controller?.abort();
      reject(
        new WatchedIntervalError(
          message,
          { ...context, seen: seen.length },
          cause === undefined ? undefined : { cause },
        ),
      );
    };
    const onEvent = (type: string, object: unknown): void => {
      if (settled) return;
      if (type === 'BOOKMARK') return;
      if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') {
        fail(`the watch for "${options.what}" reported ${type}: ${JSON.stringify(object)}`);
        return;
      }
      // The API server sends objects of the watched kind only.
      const event: WatchedEvent<T> = { type, object: object as T };
      seen.push(event);
      let reason: string | undefined;
      try {
        reason = options.forbidden(event.object, type);
      } catch (error) {
        fail(`judging a watched change for "${options.what}" failed`, error);
        return;
      }
      if (reason !== undefined) fail(`${options.what} during the ${options.ms} ms watched: ${reason}`);
    };
    const onDone = (error: unknown): void => {
      const why =
        error === null || error === undefined
          ? ''
          : `: ${error instanceof Error ? error.message : JSON.stringify(error)}`;
      fail(`the watch for "${options.what}" ended before the ${options.ms} ms were over${why}`, error ?? undefined);
    };
    const query = options.name === undefined ? {} : { fieldSelector: `metadata.name=${options.name}` };
    watch.watch(options.path, query, onEvent, onDone).then(
      (started) => {
        controller = started;
        if (settled) {
          started.abort();
          return;
        }
        // Counted from when the API server accepted the watch: from then on no change is missed.
        timer = setTimeout(() => {
          settled = true;
          started.abort();
          resolve(seen);
        }, options.ms);
      },
      (error: unknown) => fail(`the watch for "${options.what}" could not start`, error),
    );
  });
}
