// The update operator's API (UpdatePolicy) and bootstrap manifests, as @strata/assets exports them.
export {
  DRAIN_TIMEOUT_ACTIONS,
  MAX_HOOKS,
  MAX_LAST_TRANSITIONS,
  MAX_REBOOT_WINDOWS,
  MAX_SKIP_POD_SELECTORS,
  REBOOT_TIMEOUT_ACTIONS,
  UPDATE_PHASES,
  UPDATE_POLICY,
  UPDATE_POLICY_CONDITIONS,
  UPDATE_POLICY_DEFAULTS,
  UpdatePolicyError,
  parseUpdatePolicy,
  updatePolicyIssues,
  updatePolicySchema,
  updatePolicySpecSchema,
  updatePolicyStatusSchema,
  type DefaultPolicySettings,
  type DrainSettings,
  type RebootWindow,
  type UpdatePhase,
  type UpdatePolicy,
  type UpdatePolicyCondition,
  type UpdatePolicyConditionType,
  type UpdatePolicyIssue,
  type UpdatePolicySpec,
  type UpdatePolicySpecInput,
  type UpdatePolicyStatus,
  type Weekday,
} from './update-policy.ts';
export {
  LABEL_SELECTOR_OPERATORS,
  labelSelectorSchema,
  type LabelSelector,
  type LabelSelectorOperator,
  type LabelSelectorRequirement,
} from './label-selector.ts';
export { MAX_DURATION, parseDuration } from './duration.ts';
export { TIME_ZONES, isTimeZone } from './time-zones.ts';
export {
  NODE_NAME_EXTRA,
  UPDATE_AGENT_USERNAME,
  UPDATE_OPERATOR_NAMES,
  UPDATE_OPERATOR_NAMESPACE,
  UPDATE_OPERATOR_PORTS,
  UPDATE_PROTOCOL_PREFIX,
} from './names.ts';
export { AGENT_HOST_PATHS, AGENT_POD_LABELS, OPERATOR_POD_LABELS } from './workloads.ts';
export { updatePolicyCrd } from './crd.ts';
export { updateOperatorFiles } from './update-operator-manifests.ts';
