// The public entry point of @strata/platform-local.
export * from './os/index.ts';
export type { NodeContext, PodRuntime, PodRuntimeStatus } from './node/pod-runtime.ts';
export { PodObjects, PodObjectError, type ServiceAccountToken, type TokenRequestOptions } from './pods/pod-objects.ts';
export {
  defaultImageMap,
  etcdTagVersion,
  ImageTagRefusedError,
  type EtcdBinaries,
  type ImageMapInput,
} from './pods/image-map.ts';
export { resolveEtcdReleases } from './pods/etcd-releases.ts';
export { parseImageReference, ImageReferenceError, type ImageReference } from './pods/image-reference.ts';
export * from './storage/index.ts';
export {
  startS3Server,
  S3ServerError,
  S3_REGION,
  type S3Credentials,
  type S3Server,
  type S3ServerOptions,
} from './s3/s3-server.ts';
export { Supervisor, CrashLoopError, type SupervisorEvents } from './control-plane/supervisor.ts';
export {
  startLocalControlPlane,
  controllerRoot,
  CONTROLLER_COMPONENTS,
  type LocalControlPlane,
  type LocalControlPlaneOptions,
} from './control-plane/local-control-plane.ts';
export { ClusterDirectory, ClusterDirectoryError, defaultClusterDir } from './cluster/cluster-dir.ts';
export { checkIpv4Only, checkPortsFree, controlPlanePorts, PreflightError } from './cluster/preflight.ts';
export { applyManifests, readManifests, ManifestApplyError } from './cluster/apply-manifests.ts';
export { defaultLocalConfig } from './cluster/default-config.ts';
export {
  upLocalCluster,
  workerAddress,
  DEFAULT_OS_VERSIONS,
  type LocalCluster,
  type UpLocalClusterOptions,
} from './cluster/local-cluster.ts';
export * from './machines/index.ts';
