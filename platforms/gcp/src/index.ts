// The public entry point of @strata/platform-gcp: the GCP Pulumi program, the
// names it gives resources, its offline preflight checks and those asked of
// Google through the provider.
export { GcpPlatformError } from './errors.ts';
export { zoneFor, type FoundZone, type ManagedZoneCandidate } from './dns-zone.ts';
export { gcsUrl, ignitionHash, ignitionPointer } from './ignition-pointer.ts';
export { OS_IMAGE_PROJECTS, osImageLookup, type OsImageLookup } from './image.ts';
export {
  CLUSTER_LABEL,
  fitName,
  GCP_NAME_RULES,
  gcpResourceNames,
  satisfiesRule,
  type ControllerNames,
  type GcpResourceNames,
  type NameKind,
  type NameRule,
  type WorkerPoolNames,
} from './names.ts';
export { NODE_SUBNET_CIDR, nodeSubnetRange } from './node-subnet.ts';
export { gcpCredentialsCheck, gcpPreflight, gcpProviderPlugin, type Env, type PreflightCheck } from './preflight.ts';
export {
  CONTROLLER_CONFIG_TYPE,
  DEFAULT_WORKER_MACHINE_TYPE,
  ETCD_PORTS,
  FLANNEL_VXLAN_PORT,
  gcpProgram,
  IAP_SSH_RANGE,
  KUBELET_PORT,
  NODE_METADATA,
  type GcpProgramOutputs,
} from './program.ts';
export { gcpExistenceChecks, machineTypeFields } from './existence.ts';
