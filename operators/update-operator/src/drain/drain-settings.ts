import type { z } from 'zod';
import { parseDuration, updatePolicySpecSchema, type LabelSelector } from '@strata/api';
import { DrainSettingsError } from './errors.ts';

/**
 * The `drain` part of an UpdatePolicy spec, as @strata/assets defines it, with
 * the policy's defaults: wait up to 10 minutes, give each pod its own grace
 * period, refuse pods without a controller and pods with emptyDir data, and on
 * timeout give the slot back and retry later rather than reboot.
 */
export const drainSettingsSchema = updatePolicySpecSchema.shape.drain;

/** The settings as a policy writes them; every field may be left out. */
export type DrainSettingsInput = z.input<typeof drainSettingsSchema>;

/** The settings with defaults filled in and the timeout in milliseconds. */
export interface ResolvedDrainSettings {
  readonly timeoutMs: number;
  /** -1: each pod's own terminationGracePeriodSeconds. */
  readonly gracePeriodSeconds: number;
  readonly deleteEmptyDirData: boolean;
  /** Allows deleting pods without a controller. Never bypasses a PodDisruptionBudget. */
  readonly force: boolean;
  readonly skipPodSelectors: readonly LabelSelector[];
  readonly onTimeout: 'Retry' | 'Reboot';
}

/** Validates drain settings from a policy (or a caller) and fills in the defaults; the error names the field. */
export function resolveDrainSettings(input: unknown, source = 'drain settings'): ResolvedDrainSettings {
  const parsed = drainSettingsSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${['drain', ...issue.path.map(String)].join('.')}: ${issue.message}`,
    );
    throw new DrainSettingsError(`invalid ${source}: ${issues.join('; ')}`, { issues });
  }
  // maxRetryDelay is left out: when a failed drain is tried again is the operator's decision, not the drain's.
  const { timeout, gracePeriodSeconds, deleteEmptyDirData, force, skipPodSelectors, onTimeout } = parsed.data;
  return {
    timeoutMs: parseDuration(timeout) ?? 0,
    gracePeriodSeconds,
    deleteEmptyDirData,
    force,
    skipPodSelectors,
    onTimeout,
  };
}

export const DEFAULT_DRAIN_SETTINGS: ResolvedDrainSettings = resolveDrainSettings({});
