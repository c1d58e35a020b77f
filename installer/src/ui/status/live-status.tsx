import { useEffect, useState, useSyncExternalStore } from 'react';
import { useInput, useWindowSize } from 'ink';
import type { ClusterStatus } from './cluster-status.ts';
import { StatusView } from './status-view.tsx';

/** Once a second: the probes' ages move; everything else redraws when the watches change it. */
const TICK_MS = 1_000;

/** What the live status draws from: ClusterStatusWatch in the CLI. */
export interface StatusSource {
  readonly status: ClusterStatus;
  subscribe(listener: () => void): () => void;
}

export interface LiveStatusProps {
  readonly source: StatusSource;
  readonly probeIntervalMs: number;
  readonly color: boolean;
  /** q or Ctrl-C. */
  readonly onQuit: () => void;
  readonly clock?: () => number;
}

/** The status view redrawn on every change the watches bring, and on the clock for the probes' ages. */
export function LiveStatus({ source, probeIntervalMs, color, onQuit, clock = Date.now }: LiveStatusProps) {
  const status = useSyncExternalStore(
    (listener) => source.subscribe(listener),
    () => source.status,
  );
  const [now, setNow] = useState(clock);
  const { columns, rows } = useWindowSize();
  useInput((input, key) => {
    if (input === 'q' || (key.ctrl && input === 'c')) onQuit();
  });
  useEffect(() => {
    const timer = setInterval(() => setNow(clock()), TICK_MS);
    return () => clearInterval(timer);
  }, [clock]);
  return (
    <StatusView
      status={status}
      now={now}
      probeIntervalMs={probeIntervalMs}
      columns={columns}
      rows={rows}
      color={color}
    />
  );
}
