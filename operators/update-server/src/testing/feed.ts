// Following the change feed in tests: its watcher count as the feed tells it, and a client's events as they come,
// both awaited without polling.
import { StrataError } from '@strata/api';
import type { ChangeFeed } from '../api/change-feed.ts';
import type { FeedEvent, FollowEnd, UpdateApiClient } from '../api/client.ts';

/** What a test waited for on the feed did not come in time. */
export class FeedWaitError extends StrataError {}

/** Resolves once the feed has `count` watchers (at once if it has), as the feed reports each change of the count. */
export function watchersReach(feed: ChangeFeed, count: number, timeoutMs = 10_000): Promise<void> {
  if (feed.watchers === count) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new FeedWaitError(`the feed has ${feed.watchers} watchers, not ${count}`, { count, timeoutMs }));
    }, timeoutMs);
    const stop = feed.onWatchers((now) => {
      if (now !== count) return;
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
}

export interface FollowedFeed {
  /** Every event so far, in order. */
  readonly events: readonly FeedEvent[];
  /** How follow() ended: resolves when the stream ends, rejects with its refusal or failure. */
  readonly ended: Promise<FollowEnd>;
  /** The first event from `from` on (an index into `events`) that `matches`, as soon as it has come. */
  next(what: string, matches: (event: FeedEvent) => boolean, from?: number, timeoutMs?: number): Promise<FeedEvent>;
  stop(): void;
}

export function followFeed(client: UpdateApiClient, lastEventId?: string): FollowedFeed {
  const events: FeedEvent[] = [];
  const waiters = new Set<() => void>();
  const abort = new AbortController();
  const ended = client.follow({
    lastEventId,
    signal: abort.signal,
    onEvent: (event) => {
      events.push(event);
      for (const waiter of waiters) waiter();
    },
  });
  // A test that awaits `next` hears of the failure there; one that does not must not leave it unhandled.
  ended.catch(() => undefined);
  return {
    events,
    ended,
    stop: () => abort.abort(),
    next: (what, matches, from = 0, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const look = () => {
          const found = events.slice(from).find(matches);
          if (found === undefined) return;
          finish();
          resolve(found);
        };
        const timer = setTimeout(() => {
          finish();
          reject(new FeedWaitError(`no ${what} on the feed: ${JSON.stringify(events)}`, { what, timeoutMs }));
        }, timeoutMs);
        const failed = (error: unknown) => {
          finish();
          reject(error instanceof Error ? error : new FeedWaitError(String(error), { what }));
        };
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(look);
        };
        waiters.add(look);
        ended.then(() => look(), failed);
        look();
      }),
  };
}
