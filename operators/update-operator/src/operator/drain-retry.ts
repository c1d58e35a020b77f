// When a node whose drain failed may be granted again. The wait doubles with
// each drain of the node that failed in a row (from DRAIN_RETRY_BASE_DELAY_MS
// up to the policy's spec.drain.maxRetryDelay), less a jitter so that nodes
// whose drains failed together (one PodDisruptionBudget blocking them all) do
// not come back together. The planner runs many times per failure and on
// whichever replica leads, so the jitter is drawn from the failure itself
// (node name and failure time) rather than from Math.random: every pass and
// every leader computes the same instant without writing it down.
import { createHash } from 'node:crypto';
import { Backoff } from '@strata/kube';

/** The first wait after a failed drain; it doubles with each further failure. */
export const DRAIN_RETRY_BASE_DELAY_MS = 60_000;
/** At most this fraction of a wait is taken off as jitter, so the cap is never exceeded. */
export const DRAIN_RETRY_JITTER = 0.2;
// Past this many doublings every wait is at the cap already (2^30 minutes is millennia).
const MAX_COUNTED_FAILURES = 30;

/**
 * The wait after the `failures`-th drain failure in a row (1 for the first), for a draw in [0, 1): the back-off's
 * delay, shortened by up to DRAIN_RETRY_JITTER of itself.
 */
export function drainRetryDelayMs(failures: number, maxDelayMs: number, draw: number): number {
  const backoff = new Backoff({
    baseDelayMs: Math.min(DRAIN_RETRY_BASE_DELAY_MS, maxDelayMs),
    maxDelayMs,
  });
  let delay = backoff.next();
  for (let counted = 1; counted < Math.min(failures, MAX_COUNTED_FAILURES); counted += 1) delay = backoff.next();
  return Math.round(delay * (1 - DRAIN_RETRY_JITTER * draw));
}

/** A draw in [0, 1) fixed by one drain failure: the same node and failure time give the same draw. */
export function drainRetryDraw(nodeName: string, failedAt: number): number {
  const digest = createHash('sha256').update(`${nodeName}\n${failedAt}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

/** When the node may be granted again after the drain failure at `failedAt`, the `failures`-th in a row. */
export function drainRetryAt(nodeName: string, failedAt: number, failures: number, maxDelayMs: number): number {
  return failedAt + drainRetryDelayMs(failures, maxDelayMs, drainRetryDraw(nodeName, failedAt));
}
