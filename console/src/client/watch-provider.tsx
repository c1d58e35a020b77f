'use client';
// One WatchHub per tab, for every component below it; closed when the tab's console goes.
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import type { NodeRow } from '../shared/node-row.ts';
import type { WatchEvent } from '../shared/watch-protocol.ts';
import { WatchHub } from './watch-hub.ts';

const HubContext = createContext<WatchHub | undefined>(undefined);

export function WatchProvider({ children }: { readonly children: ReactNode }) {
  const [hub] = useState(() => new WatchHub());
  useEffect(() => () => hub.close(), [hub]);
  return <HubContext value={hub}>{children}</HubContext>;
}

export interface NodeRows {
  readonly rows: ReadonlyMap<string, NodeRow>;
  /** False until the first snapshot has come. */
  readonly synced: boolean;
  /** The server's last list or watch failure, until the next event that succeeds. */
  readonly error: string | undefined;
}

/**
 * The live rows of the nodes. Events are applied in batches, once per animation frame, so that a burst (a rollout
 * across thousands of nodes) renders once rather than once per event.
 */
export function useNodeRows(): NodeRows {
  const hub = useContext(HubContext);
  if (hub === undefined) throw new Error('useNodeRows needs a WatchProvider above it');
  const [state, setState] = useState<NodeRows>({ rows: new Map(), synced: false, error: undefined });
  useEffect(() => {
    let pending: WatchEvent[] = [];
    let frame: number | undefined;
    const flush = () => {
      frame = undefined;
      const events = pending;
      pending = [];
      setState((previous) => {
        let rows = new Map(previous.rows);
        let { synced, error } = previous;
        for (const event of events) {
          if (event.type === 'error') {
            error = event.message;
            continue;
          }
          error = undefined;
          if (event.type === 'snapshot') {
            rows = new Map(event.rows.map((row) => [row.name, row]));
            synced = true;
          } else if (event.type === 'upsert') rows.set(event.row.name, event.row);
          else rows.delete(event.name);
        }
        return { rows, synced, error };
      });
    };
    const unsubscribe = hub.subscribe('nodes', (event) => {
      pending.push(event);
      frame ??= requestAnimationFrame(flush);
    });
    return () => {
      unsubscribe();
      if (frame !== undefined) cancelAnimationFrame(frame);
    };
  }, [hub]);
  return state;
}
