// The public entry point of the process pod runtime: pods of simulated nodes run as local processes.
export {
  ProcessPodRuntime,
  PodRuntimeError,
  KUBELET_BACK_OFF,
  SETUP_BACK_OFF,
  type ProcessPodRuntimeOptions,
} from './process-runtime.ts';
export {
  defaultImageMap,
  entryExecutables,
  ETCD_IMAGE_REPOSITORIES,
  etcdTagRule,
  etcdTagVersion,
  ImageMap,
  ImageMapError,
  ImageTagRefusedError,
  type EtcdBinaries,
  type TagDecision,
  type TagRule,
  imageEntrySchema,
  imageMapSchema,
  type ImageEntry,
  type ImageMapInput,
} from './image-map.ts';
export { resolveEtcdReleases } from './etcd-releases.ts';
export { ImageReferenceError, parseImageReference, type ImageReference } from './image-reference.ts';
export {
  DEFAULT_POD_ADDRESS_RANGE,
  PodAddressesExhaustedError,
  PodAddressPool,
  PodAddressRangeError,
  sharedPodAddressPool,
} from './pod-addresses.ts';
export { UnmappedExecutableError } from './container-command.ts';
export { ContainerEnvError } from './container-env.ts';
export { DownwardApiError } from './downward-api.ts';
export { PodObjectError } from './pod-objects.ts';
export { ProbeWorker, probeTiming, type Check, type ProbeKind, type ProbeTiming } from './probes.ts';
export { runCheck, type CheckResult, type ProbeTarget } from './probe-checks.ts';
export { VOLUME_ENV_PREFIX, VolumeMountError, volumeEnvName } from './volume-mounts.ts';
export { UnsupportedVolumeError, VolumePathError } from './volumes.ts';
