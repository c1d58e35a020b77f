import {
  UPDATE_POLICY,
  parseUpdatePolicy,
  type RebootWindow,
  type UpdatePolicy,
  type UpdatePolicySpecInput,
  type UpdatePolicyStatus,
} from '@strata/api';

export interface PolicyOverrides {
  readonly name?: string;
  readonly generation?: number;
  /** As a user writes it: whatever is left out gets the CRD's default. */
  readonly spec?: UpdatePolicySpecInput;
  readonly status?: UpdatePolicyStatus;
}

/**
 * An UpdatePolicy as the API server would return it: named `test-policy` unless told otherwise, generation 1, every
 * spec field left out filled with its default by the same schema the CRD is generated from.
 */
export function aPolicy(overrides: PolicyOverrides = {}): UpdatePolicy {
  const { name = 'test-policy', generation = 1, spec = {}, status } = overrides;
  return parseUpdatePolicy({
    apiVersion: UPDATE_POLICY.apiVersion,
    kind: UPDATE_POLICY.kind,
    metadata: { name, generation },
    spec,
    ...(status === undefined ? {} : { status }),
  });
}

/** A reboot window: Saturday and Sunday 02:00 UTC for 4 hours, unless told otherwise. */
export function aRebootWindow(overrides: Partial<RebootWindow> = {}): RebootWindow {
  return { days: ['Sat', 'Sun'], start: '02:00', duration: '4h', timeZone: 'UTC', ...overrides };
}
