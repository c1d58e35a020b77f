import { z } from 'zod';
import { NodeSpecError } from './errors.ts';

/** The kubelet's clocks, with its defaults. Tests shorten them; a benchmark should not. */
export interface NodeTiming {
  /** Lease spec.leaseDurationSeconds: the node lifecycle controller's grace before it calls the node unreachable. */
  readonly leaseDurationSeconds: number;
  /** How often the lease is renewed: a quarter of its duration, as the kubelet does. */
  readonly leaseRenewIntervalMs: number;
  /** nodeStatusReportFrequency: an unchanged Node status is written this often, and no more. */
  readonly statusReportIntervalMs: number;
  /** How long TLS bootstrapping may wait for the CSR to be approved and signed. */
  readonly bootstrapTimeoutMs: number;
  /** shutdownGracePeriod: what pods get to stop when the machine goes down or the node is stopped. */
  readonly shutdownGracePeriodSeconds: number;
}

export const DEFAULT_NODE_TIMING: NodeTiming = {
  leaseDurationSeconds: 40,
  leaseRenewIntervalMs: 10_000,
  statusReportIntervalMs: 5 * 60_000,
  bootstrapTimeoutMs: 120_000,
  shutdownGracePeriodSeconds: 30,
};

const timingSchema = z.strictObject({
  leaseDurationSeconds: z.number().int().positive().optional(),
  leaseRenewIntervalMs: z.number().positive().optional(),
  statusReportIntervalMs: z.number().positive().optional(),
  bootstrapTimeoutMs: z.number().positive().optional(),
  shutdownGracePeriodSeconds: z.number().int().nonnegative().optional(),
});

export function resolveTiming(overrides: Partial<NodeTiming> = {}): NodeTiming {
  const result = timingSchema.safeParse(overrides);
  if (!result.success) {
    throw new NodeSpecError(
      'node timing',
      result.error.issues.map((issue) => `${issue.path.map(String).join('.')}: ${issue.message}`),
    );
  }
  const defined = Object.fromEntries(Object.entries(result.data).filter(([, value]) => value !== undefined));
  const timing: NodeTiming = { ...DEFAULT_NODE_TIMING, ...defined };
  if (timing.leaseRenewIntervalMs >= timing.leaseDurationSeconds * 1000) {
    throw new NodeSpecError('node timing', [
      'leaseRenewIntervalMs: must be shorter than the lease duration, or the lease lapses between renewals',
    ]);
  }
  return timing;
}
