// The live rows of one resource, from the tab's one watch stream: a snapshot replaces them, a change updates one.
import { useEffect, useState } from 'react';
import { namespacedKey, type EtcdBackupRow, type EtcdClusterRow, type EventRow } from '../shared/etcd-rows.ts';
import type { CustomRow } from '../shared/custom-resources.ts';
import type { NodeDetailRow, PodRow } from '../shared/node-detail.ts';
import type { NodeRow } from '../shared/node-row.ts';
import type { RolloutRow } from '../shared/rollout-row.ts';
import type { UpdatePolicyRow } from '../shared/update-policy-row.ts';
import type { ResourceKind, WatchEvent } from '../shared/watch-protocol.ts';
import type { WorkloadKind, WorkloadRow } from '../shared/workloads.ts';
import { useWatchHub } from './watch-provider.tsx';

type AnyRow = Extract<WatchEvent, { readonly type: 'upsert' }>['row'];

export interface LiveRows<Row> {
  /** By key: a node's name, a namespaced object's `namespace/name`. */
  readonly rows: ReadonlyMap<string, Row>;
  /** False until the first snapshot has come. */
  readonly synced: boolean;
  /** The server's last list or watch failure, until the next event that succeeds. */
  readonly error: string | undefined;
  /** The API server's HTTP status for that failure, when it answered (404: the resource is not installed). */
  readonly errorStatus: number | undefined;
}

/** The CRD whose objects `customresources` carries. */
export interface CrdScope {
  readonly group: string;
  readonly plural: string;
}

const rowKey = (row: AnyRow): string => ('namespace' in row ? namespacedKey(row) : row.name);

/**
 * The live rows of `kind`. Events are applied in batches, once per animation frame, so that a burst (a rollout
 * across thousands of nodes) renders once rather than once per event.
 */
export function useLiveRows(kind: 'nodes'): LiveRows<NodeRow>;
export function useLiveRows(kind: 'rollout'): LiveRows<RolloutRow>;
export function useLiveRows(kind: 'updatepolicies'): LiveRows<UpdatePolicyRow>;
export function useLiveRows(kind: 'etcdclusters'): LiveRows<EtcdClusterRow>;
export function useLiveRows(kind: 'etcdbackups'): LiveRows<EtcdBackupRow>;
export function useLiveRows(kind: 'warningevents'): LiveRows<EventRow>;
export function useLiveRows(kind: 'nodedetail', node: string): LiveRows<NodeDetailRow>;
export function useLiveRows(kind: 'nodepods', node: string): LiveRows<PodRow>;
export function useLiveRows(kind: 'nodeevents', node: string): LiveRows<EventRow>;
export function useLiveRows(kind: 'customresources', crd: CrdScope): LiveRows<CustomRow>;
export function useLiveRows(kind: WorkloadKind): LiveRows<WorkloadRow>;
export function useLiveRows(kind: ResourceKind, about?: string | CrdScope): LiveRows<AnyRow> {
  const hub = useWatchHub();
  // A string is the node of a node-scoped kind. The scope is rebuilt from its parts so that the effect below depends
  // on values, not on an object made anew at each render.
  const node = typeof about === 'string' ? about : undefined;
  const group = typeof about === 'object' ? about.group : undefined;
  const plural = typeof about === 'object' ? about.plural : undefined;
  const [state, setState] = useState<LiveRows<AnyRow>>({
    rows: new Map(),
    synced: false,
    error: undefined,
    errorStatus: undefined,
  });
  useEffect(() => {
    let pending: WatchEvent[] = [];
    let frame: number | undefined;
    const flush = () => {
      frame = undefined;
      const events = pending;
      pending = [];
      setState((previous) => {
        let rows = new Map(previous.rows);
        let { synced, error, errorStatus } = previous;
        for (const event of events) {
          if (event.type === 'error') {
            error = event.message;
            errorStatus = event.status;
            continue;
          }
          error = undefined;
          errorStatus = undefined;
          if (event.type === 'snapshot') {
            rows = new Map(event.rows.map((row): [string, AnyRow] => [rowKey(row), row]));
            synced = true;
          } else if (event.type === 'upsert') rows.set(rowKey(event.row), event.row);
          else if (event.type === 'delete') rows.delete('key' in event ? event.key : event.name);
        }
        return { rows, synced, error, errorStatus };
      });
    };
    const unsubscribe = hub.subscribe(
      kind,
      (event) => {
        pending.push(event);
        frame ??= requestAnimationFrame(flush);
      },
      node !== undefined ? { node } : group !== undefined && plural !== undefined ? { group, plural } : undefined,
    );
    return () => {
      unsubscribe();
      if (frame !== undefined) cancelAnimationFrame(frame);
    };
  }, [hub, kind, node, group, plural]);
  return state;
}
