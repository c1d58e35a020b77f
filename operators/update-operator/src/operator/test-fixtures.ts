// Typed builders for the decision core's tests.
import { ANNOTATIONS, LABELS, TRUE } from '@strata/api';
import type { NodeState } from './node-state.ts';
import type { RolloutPolicy, WindowAt } from './rollout-policy.ts';
import fc, { type GeneratorValue } from 'fast-check';

export const T0 = Date.parse('2025-03-10T12:00:00Z');
export const MINUTE = 60_000;

export interface NodeOptions {
  readonly name: string;
  readonly ready?: boolean;
  readonly unschedulable?: boolean;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly resourceVersion?: string;
  readonly machineId?: string;
  readonly osImage?: string;
  readonly ipAddresses?: readonly string[];
}

export function aNode(options: NodeOptions): NodeState {
  return {
    name: options.name,
    uid: `uid-${options.name}`,
    resourceVersion: options.resourceVersion ?? '1',
    labels: { pool: 'workers', ...options.labels },
    annotations: options.annotations ?? {},
    unschedulable: options.unschedulable ?? false,
    ready: options.ready ?? true,
    machineId: options.machineId,
    osImage: options.osImage,
    ipAddresses: options.ipAddresses ?? [],
  };
}

/** A node whose agent reports an update staged and waiting for a reboot. */
export const needing = (name: string, more: Partial<NodeOptions> = {}): NodeState =>
  aNode({
    ...more,
    name,
    annotations: { [ANNOTATIONS.rebootNeeded]: TRUE, ...more.annotations },
    labels: { [LABELS.rebootNeeded]: TRUE, ...more.labels },
  });

/** A node the operator approved at `grantedAt` and whose agent has not started. */
export const approved = (name: string, grantedAt: number, more: Partial<NodeOptions> = {}): NodeState =>
  needing(name, {
    ...more,
    annotations: {
      [ANNOTATIONS.rebootOk]: TRUE,
      [ANNOTATIONS.rebootGrantedAt]: new Date(grantedAt).toISOString(),
      [ANNOTATIONS.policy]: 'workers',
      ...more.annotations,
    },
  });

/** A node whose agent is draining or rebooting it (not ready once it went down). */
export const inProgress = (name: string, grantedAt: number, more: Partial<NodeOptions> = {}): NodeState =>
  approved(name, grantedAt, {
    unschedulable: true,
    ...more,
    annotations: {
      [ANNOTATIONS.rebootInProgress]: TRUE,
      [ANNOTATIONS.agentMadeUnschedulable]: TRUE,
      ...more.annotations,
    },
  });

/** A node that rebooted: the agent has reset its state, reboot-ok is still set. */
export const rebooted = (name: string, grantedAt: number, more: Partial<NodeOptions> = {}): NodeState =>
  aNode({
    ...more,
    name,
    annotations: {
      [ANNOTATIONS.rebootOk]: TRUE,
      [ANNOTATIONS.rebootGrantedAt]: new Date(grantedAt).toISOString(),
      [ANNOTATIONS.policy]: 'workers',
      [ANNOTATIONS.rebootNeeded]: 'false',
      ...more.annotations,
    },
  });

export interface RolloutPolicyOptions {
  readonly name?: string;
  /** matchLabels of the selector. */
  readonly matchLabels?: Record<string, string>;
  readonly maxUnavailable?: number;
  readonly window?: WindowAt | ((now: number) => WindowAt);
  readonly paused?: boolean;
  readonly beforeRebootHooks?: readonly string[];
  readonly afterRebootHooks?: readonly string[];
  readonly rebootTimeoutMs?: number;
  readonly onRebootTimeout?: 'HoldSlot' | 'ReleaseSlot';
  readonly drainRetryMaxDelayMs?: number;
}

export const matchLabels =
  (wanted: Record<string, string>) =>
  (labels: Readonly<Record<string, string>>): boolean =>
    Object.entries(wanted).every(([key, value]) => labels[key] === value);

export function aRolloutPolicy(options: RolloutPolicyOptions = {}): RolloutPolicy {
  const window = options.window ?? { open: true };
  return {
    name: options.name ?? 'workers',
    uid: `uid-${options.name ?? 'workers'}`,
    generation: 1,
    selects: matchLabels(options.matchLabels ?? { pool: 'workers' }),
    budgetFor: () => options.maxUnavailable ?? 1,
    windowAt: typeof window === 'function' ? window : () => window,
    paused: options.paused ?? false,
    beforeRebootHooks: options.beforeRebootHooks ?? [],
    afterRebootHooks: options.afterRebootHooks ?? [],
    rebootTimeoutMs: options.rebootTimeoutMs ?? 30 * MINUTE,
    onRebootTimeout: options.onRebootTimeout ?? 'HoldSlot',
    drainRetryMaxDelayMs: options.drainRetryMaxDelayMs ?? 30 * MINUTE,
  };
}

/**
 * A uniform number in [0, 1) on each call, drawn by fast-check from `g`
 * (an fc.gen() value), for simulations that draw as they go: a failing
 * property reports the seed and path that replay it, and shrinks the draws.
 */
export function uniformDraws(g: GeneratorValue): () => number {
  // Unbiased, so that every draw is uniform as the simulations' probabilities assume (fast-check favours extremes by default).
  return () => g(() => fc.noBias(fc.integer({ min: 0, max: 0xffffffff }))) / 0x100000000;
}
