// The API server's own count of the requests it served
// (apiserver_request_total, read from its /metrics with kubectl), to tell how
// many writes a rollout cost. Writes are counted per resource (with its
// subresource), with the steady-state rate of the cluster measured before the
// rollout taken off, so that heartbeats and the like are not charged to it.
// Also the server's own time to answer a PATCH of a Node (every grant, clean-up
// and agent step is one), from apiserver_request_duration_seconds: what no
// client can decide faster than.
import { runCommand } from '@strata/host';
import { histogramBuckets, parseSamples } from './prometheus-text.ts';

const WRITE_VERBS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'APPLY', 'DELETE', 'DELETECOLLECTION']);

export type WriteCounts = ReadonlyMap<string, number>;

/** Writes served so far, by resource[/subresource], and when they were read (performance.now()). */
export async function readWriteCounts(kubectl: string, kubeconfigPath: string): Promise<WriteSnapshot> {
  const result = await runCommand(kubectl, [`--kubeconfig=${kubeconfigPath}`, 'get', '--raw', '/metrics']);
  if (result.code !== 0) throw new Error(`kubectl get --raw /metrics failed: ${result.stderr}`);
  const counts = new Map<string, number>();
  const samples = parseSamples(result.stdout);
  const nodePatchSeconds = histogramBuckets(
    samples,
    'apiserver_request_duration_seconds',
    (labels) => labels['verb'] === 'PATCH' && labels['resource'] === 'nodes' && (labels['subresource'] ?? '') === '',
  );
  for (const sample of samples) {
    if (sample.name !== 'apiserver_request_total' || !WRITE_VERBS.has(sample.labels['verb'] ?? '')) continue;
    const { resource = '', subresource = '' } = sample.labels;
    const key = subresource === '' ? resource : `${resource}/${subresource}`;
    counts.set(key, (counts.get(key) ?? 0) + sample.value);
  }
  return { counts, nodePatchSeconds, at: performance.now() };
}

export interface WriteSnapshot {
  readonly counts: WriteCounts;
  /** apiserver_request_duration_seconds of PATCH nodes (not their status), cumulative buckets: upper bound → count. */
  readonly nodePatchSeconds: ReadonlyMap<number, number>;
  readonly at: number;
}

/** The buckets of the PATCH requests served between two snapshots. */
export function nodePatchesBetween(from: WriteSnapshot, to: WriteSnapshot): Map<number, number> {
  return new Map([...to.nodePatchSeconds].map(([le, count]) => [le, count - (from.nodePatchSeconds.get(le) ?? 0)]));
}

/** Writes per second of `key` between two snapshots. */
function rate(key: string, from: WriteSnapshot, to: WriteSnapshot): number {
  return ((to.counts.get(key) ?? 0) - (from.counts.get(key) ?? 0)) / ((to.at - from.at) / 1000);
}

/**
 * Writes between `start` and `end` per resource, less what the cluster's
 * steady state would have written anyway: the lower of the rates seen in a
 * quiet window before the rollout and one after it (right after start-up,
 * some controllers are still settling the new nodes).
 */
export function rolloutWrites(
  quietBefore: readonly [WriteSnapshot, WriteSnapshot],
  start: WriteSnapshot,
  end: WriteSnapshot,
  quietAfter: readonly [WriteSnapshot, WriteSnapshot],
): Map<string, { total: number; baseline: number; rollout: number }> {
  const keys = new Set([...start.counts.keys(), ...end.counts.keys()]);
  const rows = new Map<string, { total: number; baseline: number; rollout: number }>();
  const seconds = (end.at - start.at) / 1000;
  for (const key of keys) {
    const total = (end.counts.get(key) ?? 0) - (start.counts.get(key) ?? 0);
    const baseline = Math.min(rate(key, ...quietBefore), rate(key, ...quietAfter)) * seconds;
    if (total > 0) rows.set(key, { total, baseline, rollout: Math.max(0, total - baseline) });
  }
  return new Map([...rows].sort(([, a], [, b]) => b.rollout - a.rollout));
}
