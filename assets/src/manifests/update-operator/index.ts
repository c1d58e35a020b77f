// The update operator's bootstrap manifests. Its API (UpdatePolicy) is in @strata/api.
export {
  NODE_NAME_EXTRA,
  UPDATE_AGENT_USERNAME,
  UPDATE_OPERATOR_NAMES,
  UPDATE_OPERATOR_NAMESPACE,
  UPDATE_OPERATOR_PORTS,
  UPDATE_OPERATOR_USERNAME,
} from './names.ts';
export { AGENT_HOST_PATHS, AGENT_POD_LABELS, OPERATOR_POD_LABELS, UPDATE_OPERATOR_PROCESS_ENV } from './workloads.ts';
export { updateOperatorFiles } from './update-operator-manifests.ts';
export { defaultUpdatePolicy } from './default-policy.ts';
