import type { KubernetesObject } from '@kubernetes/client-node';
import { UPDATE_OPERATOR_NAMES } from './names.ts';
import {
  LABELS,
  UPDATE_POLICY,
  UPDATE_POLICY_DEFAULTS,
  type DefaultPolicySettings,
  type UpdatePolicySpecInput,
} from '@strata/api';

/**
 * The policy every cluster starts with: every node (but those labelled with LABELS.rebootsPaused), `maxUnavailable` at once (1 unless the cluster config says
 * otherwise), in the config's windows (any time when none). Only what the config decides is written: the API server
 * fills in the drain and timeout defaults, and `paused` is written only to pause (rebootStrategy off), so applying
 * the manifests again leaves an administrator's tuning and pausing alone.
 */
export function defaultUpdatePolicy(
  settings: DefaultPolicySettings = {},
): KubernetesObject & { spec: UpdatePolicySpecInput } {
  const { maxUnavailable = UPDATE_POLICY_DEFAULTS.maxUnavailable, rebootWindows, paused } = settings;
  return {
    apiVersion: UPDATE_POLICY.apiVersion,
    kind: UPDATE_POLICY.kind,
    metadata: { name: UPDATE_OPERATOR_NAMES.defaultPolicy },
    spec: {
      // Every node but those whose reboots someone paused (the console's "Pause reboots", ADR 0062).
      nodeSelector: { matchExpressions: [{ key: LABELS.rebootsPaused, operator: 'DoesNotExist' }] },
      maxUnavailable,
      ...(rebootWindows === undefined || rebootWindows.length === 0 ? {} : { rebootWindows }),
      ...(paused === true ? { paused } : {}),
    },
  };
}
