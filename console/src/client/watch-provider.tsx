'use client';
// One WatchHub per tab, for every component below it; closed when the tab's console goes.
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import type { ResourceKind, RowOf, WatchEventOf } from '../shared/watch-protocol.ts';
import { WatchHub } from './watch-hub.ts';

const HubContext = createContext<WatchHub | undefined>(undefined);

export function WatchProvider({ children }: { readonly children: ReactNode }) {
  const [hub] = useState(() => new WatchHub());
  useEffect(() => () => hub.close(), [hub]);
  return <HubContext value={hub}>{children}</HubContext>;
}

export interface ResourceRows<K extends ResourceKind> {
  readonly rows: ReadonlyMap<string, RowOf<K>>;
  /** False until the first snapshot has come. */
  readonly synced: boolean;
  /** The server's last list or watch failure, until the next event that succeeds. */
  readonly error: string | undefined;
}

export type NodeRows = ResourceRows<'nodes'>;

/**
 * The live rows of `kind`, keyed by name. Events are applied in batches, once per animation frame, so that a burst
 * (a rollout across thousands of nodes) renders once rather than once per event.
 */
export function useResourceRows<K extends ResourceKind>(kind: K): ResourceRows<K> {
  const hub = useContext(HubContext);
  if (hub === undefined) throw new Error('useResourceRows needs a WatchProvider above it');
  const [state, setState] = useState<ResourceRows<K>>({ rows: new Map(), synced: false, error: undefined });
  useEffect(() => {
    let pending: WatchEventOf<K>[] = [];
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
    const unsubscribe = hub.subscribe(kind, (event) => {
      // The hub hands a listener only the events of the resource it subscribed to.
      pending.push(event as WatchEventOf<K>);
      frame ??= requestAnimationFrame(flush);
    });
    return () => {
      unsubscribe();
      if (frame !== undefined) cancelAnimationFrame(frame);
    };
  }, [hub, kind]);
  return state;
}

/** The live rows of the nodes. */
export function useNodeRows(): NodeRows {
  return useResourceRows('nodes');
}
