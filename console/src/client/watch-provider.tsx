'use client';
// One WatchHub per tab, for every component below it; closed when the tab's console goes.
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import type { NodeRow } from '../shared/node-row.ts';
import { useLiveRows, type LiveRows } from './live-rows.ts';
import { WatchHub } from './watch-hub.ts';

const HubContext = createContext<WatchHub | undefined>(undefined);

export function WatchProvider({ children }: { readonly children: ReactNode }) {
  const [hub] = useState(() => new WatchHub());
  useEffect(() => () => hub.close(), [hub]);
  return <HubContext value={hub}>{children}</HubContext>;
}

export function useWatchHub(): WatchHub {
  const hub = useContext(HubContext);
  if (hub === undefined) throw new Error('the live views need a WatchProvider above them');
  return hub;
}

/** The live rows of the nodes. */
export function useNodeRows(): LiveRows<NodeRow> {
  return useLiveRows('nodes');
}
