// The decision core's view of one UpdatePolicy: the spec with defaults filled
// in, durations in milliseconds, and the policy maths (selector, windows,
// maxUnavailable) bound as functions, so the core never parses anything.
import { parseDuration, type UpdatePolicy } from '@strata/api';
import { PolicyValueError, resolveMaxUnavailable, selectorMatches, windowState } from '../policy/index.ts';

/** The reboot windows at one instant, as the planner needs them (milliseconds since the epoch). */
export interface WindowAt {
  readonly open: boolean;
  /** When the window next opens or closes, if ever (absent for "always open"). */
  readonly nextChangeAt?: number;
  /** When it next opens, for messages while closed. */
  readonly nextOpenAt?: number;
}

export interface RolloutPolicy {
  readonly name: string;
  readonly uid: string;
  readonly generation: number;
  readonly selects: (labels: Readonly<Record<string, string>>) => boolean;
  /** How many of `total` selected nodes may be unavailable at once (at least 1). */
  readonly budgetFor: (total: number) => number;
  readonly windowAt: (now: number) => WindowAt;
  readonly paused: boolean;
  readonly beforeRebootHooks: readonly string[];
  readonly afterRebootHooks: readonly string[];
  readonly rebootTimeoutMs: number;
  readonly onRebootTimeout: 'HoldSlot' | 'ReleaseSlot';
  /** spec.drain.maxRetryDelay: the cap of the doubling wait of a node whose drain failed (drain-retry.ts). */
  readonly drainRetryMaxDelayMs: number;
}

/** The decision core's view of a parsed UpdatePolicy (defaults already filled in by its schema). */
export function rolloutPolicyOf(policy: UpdatePolicy): RolloutPolicy {
  const { spec, metadata } = policy;
  const rebootTimeoutMs = parseDuration(spec.rebootTimeout.duration);
  if (rebootTimeoutMs === undefined) {
    throw new PolicyValueError(
      `UpdatePolicy ${metadata.name}: spec.rebootTimeout.duration ${spec.rebootTimeout.duration} is not a duration`,
      { policy: metadata.name },
    );
  }
  const drainRetryMaxDelayMs = parseDuration(spec.drain.maxRetryDelay);
  if (drainRetryMaxDelayMs === undefined) {
    throw new PolicyValueError(
      `UpdatePolicy ${metadata.name}: spec.drain.maxRetryDelay ${spec.drain.maxRetryDelay} is not a duration`,
      { policy: metadata.name },
    );
  }
  return {
    name: metadata.name,
    uid: metadata.uid ?? '',
    generation: metadata.generation ?? 0,
    selects: (labels) => selectorMatches(spec.nodeSelector, labels),
    budgetFor: (total) => resolveMaxUnavailable(spec.maxUnavailable, total),
    windowAt: (now) => {
      const state = windowState(spec.rebootWindows, new Date(now));
      const opensAt = state.opensAt?.getTime();
      const nextChangeAt = state.open ? state.closesAt?.getTime() : opensAt;
      return {
        open: state.open,
        ...(nextChangeAt === undefined ? {} : { nextChangeAt }),
        ...(opensAt === undefined ? {} : { nextOpenAt: opensAt }),
      };
    },
    paused: spec.paused,
    beforeRebootHooks: spec.hooks.beforeReboot,
    afterRebootHooks: spec.hooks.afterReboot,
    rebootTimeoutMs,
    onRebootTimeout: spec.rebootTimeout.onTimeout,
    drainRetryMaxDelayMs,
  };
}
