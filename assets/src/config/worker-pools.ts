import type { z } from 'zod';
import type { Platform, workerPoolSchema } from './schema.ts';

export const DEFAULT_WORKER_POOL = { name: 'worker', count: 1 } as const;

type PoolFields = z.output<typeof workerPoolSchema>;

/** What pool membership needs of a machine; rules pass machines that parsed only in part. */
export interface PoolMember {
  readonly role: string;
  readonly pool?: string | undefined;
}

export function workersInPool(machines: readonly PoolMember[], pool: string): number {
  return machines.filter((machine) => machine.role === 'worker' && machine.pool === pool).length;
}

/**
 * The worker pools a cluster gets. Without `workerPools` that is one pool of
 * one node, except on bare metal, where the machines define the pools: one per
 * pool name they use, with as many nodes as machines name it.
 */
export function effectiveWorkerPools(
  platform: Platform,
  pools: readonly PoolFields[] | undefined,
  machines: readonly PoolMember[] | undefined,
): (PoolFields & { count: number })[] {
  const bareMetal = platform === 'bare-metal';
  const members = machines ?? [];
  if (pools === undefined) {
    if (!bareMetal) {
      return [{ ...DEFAULT_WORKER_POOL, labels: {}, taints: [], snippets: [] }];
    }
    const names = new Set(
      members.flatMap((machine) => (machine.role === 'worker' && machine.pool !== undefined ? [machine.pool] : [])),
    );
    return [...names].map((name) => ({
      name,
      count: workersInPool(members, name),
      labels: {},
      taints: [],
      snippets: [],
    }));
  }
  return pools.map((pool) => ({
    ...pool,
    count: pool.count ?? (bareMetal ? workersInPool(members, pool.name) : DEFAULT_WORKER_POOL.count),
  }));
}
