// Pruning machine history on a schedule, so that history rows do not pile up
// for ever. Machines themselves stay: they are the fleet, however old their
// last entry.
import type { UpdateStore } from './store.ts';

export interface HistoryRetentionOptions {
  readonly store: UpdateStore;
  /** History entries older than this are deleted. */
  readonly retentionSeconds: number;
  /** How often to prune; the first run is at once. */
  readonly intervalMs: number;
  readonly now?: () => Date;
  readonly onPruned?: (removed: number, before: Date) => void;
  /** A failed run is reported here and retried at the next interval. */
  readonly onError: (error: unknown) => void;
}

export interface HistoryRetention {
  stop(): void;
}

export function startHistoryRetention(options: HistoryRetentionOptions): HistoryRetention {
  let running = false;
  const prune = () => {
    // A slow database must not stack runs up.
    if (running) return;
    running = true;
    const before = new Date((options.now?.() ?? new Date()).getTime() - options.retentionSeconds * 1000);
    options.store
      .pruneHistory(before)
      .then((removed) => options.onPruned?.(removed, before), options.onError)
      .finally(() => (running = false));
  };
  prune();
  const timer = setInterval(prune, options.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
