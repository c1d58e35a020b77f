// The public API of the cluster config: parse and check cluster.yaml, the
// types of a valid config, and the constants its rules are built from.
export {
  API_VERSION,
  KIND,
  PLATFORMS,
  PLATFORM_SECTIONS,
  SUPPORTED_KUBERNETES_VERSIONS,
  DEFAULT_KUBERNETES_VERSION,
  OPERATING_SYSTEMS,
  OS_CHANNELS,
  OS_VERSION_FORMATS,
  CONTROLLER_COUNTS,
  MAX_CLUSTER_NAME_LENGTH,
  ETCD_QUOTA_BACKEND_BYTES,
  SERVICE_CIDR_HOST_BITS,
  TAINT_EFFECTS,
  clusterConfigSchema,
  type ClusterConfig,
  type ClusterConfigInput,
  type Machine,
  type OperatingSystem,
  type Platform,
  type PlatformSection,
  type WorkerPool,
} from './schema.ts';
export { DEFAULT_WORKER_POOL } from './worker-pools.ts';
export { SSH_KEY_TYPES } from './ssh-key.ts';
export { WEEKDAYS, durationMinutes } from './update-window.ts';
export { NODE_POD_SUBNET_PREFIX } from './rules/networking.ts';
export {
  parseClusterConfig,
  parseClusterConfigBytes,
  validateClusterConfig,
  loadClusterConfig,
  type ParseOptions,
  type ParseResult,
  type ValidateOptions,
} from './parse.ts';
export { ClusterConfigError } from './errors.ts';
export { formatIssues, type ConfigIssue } from './issue.ts';
export {
  clusterConfigJsonSchema,
  renderClusterConfigJsonSchema,
  CLUSTER_SCHEMA_ID,
  CLUSTER_SCHEMA_PATH,
} from './json-schema.ts';
export { checkDnsLabel, checkDnsSubdomain, checkLabelKey, checkLabelValue } from './dns.ts';
export type { Problem } from './problem.ts';
export { DEFAULT_PHASE_TIMEOUTS, installDurationMs, MAX_PHASE_TIMEOUT_MS } from './install.ts';
