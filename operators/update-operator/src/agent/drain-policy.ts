import type { CustomObjectsApi } from '@kubernetes/client-node';
import { parseUpdatePolicy, UPDATE_POLICY } from '@strata/api';
import {
  DEFAULT_DRAIN_SETTINGS,
  resolveDrainSettings,
  type DrainSettingsInput,
  type ResolvedDrainSettings,
} from '../drain/index.ts';
import { describeApiError, statusCodeOf } from '@strata/kube';
import { PolicyReadError } from './errors.ts';

export interface PolicyDrainSettings {
  /** As the policy says them (defaults filled in), for drainNode. */
  readonly drain: DrainSettingsInput;
  /** Checked, with the timeout in milliseconds. */
  readonly settings: ResolvedDrainSettings;
  /** Why the defaults apply, when they do. */
  readonly fallback?: string;
}

const DEFAULTS: PolicyDrainSettings = { drain: {}, settings: DEFAULT_DRAIN_SETTINGS };

/**
 * The drain settings of the UpdatePolicy that granted the reboot (the node's
 * `policy` annotation). Without the annotation, or when that policy is gone,
 * the policy defaults apply, and the caller is told why.
 */
export async function policyDrainSettings(
  custom: CustomObjectsApi,
  policyName: string | undefined,
): Promise<PolicyDrainSettings> {
  if (policyName === undefined) return { ...DEFAULTS, fallback: 'the node names no UpdatePolicy' };
  let object: unknown;
  try {
    object = await custom.getClusterCustomObject({
      group: UPDATE_POLICY.group,
      version: UPDATE_POLICY.version,
      plural: UPDATE_POLICY.plural,
      name: policyName,
    });
  } catch (error) {
    if (statusCodeOf(error) === 404) return { ...DEFAULTS, fallback: `UpdatePolicy ${policyName} does not exist` };
    throw new PolicyReadError(
      `reading UpdatePolicy ${policyName} failed: ${describeApiError(error)}`,
      { policy: policyName },
      { cause: error },
    );
  }
  const { drain } = parseUpdatePolicy(object).spec;
  return { drain, settings: resolveDrainSettings(drain, `drain settings of UpdatePolicy ${policyName}`) };
}
