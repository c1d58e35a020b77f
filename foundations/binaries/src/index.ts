export {
  BUTANE_VERSION,
  COMPONENT_NAMES,
  ETCD_VERSION,
  ETCD_VERSIONS,
  isEtcdVersion,
  KUBERNETES_VERSION,
  MATCHBOX_PROVIDER_VERSION,
  MATCHBOX_VERSION,
  MINIO_VERSION,
  OPENTOFU_VERSION,
  PULUMI_VERSION,
  TOOL_NAMES,
  NODE_IMAGE_NAMES,
  CNI_PLUGIN_NAMES,
  CONTAINERD_VERSION,
  RUNC_VERSION,
  CRI_TOOLS_VERSION,
  CNI_PLUGINS_VERSION,
  IGNITION_VERSION,
  DISTRIBUTION_VERSION,
  FLANNEL_VERSION,
  COREDNS_VERSION,
  TEST_SERVER_VERSION,
  type NodeImageName,
  type CniPluginName,
  type BinaryName,
  type ComponentName,
  type EtcdVersion,
  type ToolName,
} from './components.ts';
export {
  BinariesUnavailableError,
  BinaryResolutionError,
  DownloadError,
  GoBuildError,
  UnknownEtcdVersionError,
} from './errors.ts';
export {
  BIN_DIR_VARIABLE,
  resolveAllBinaries,
  resolveBinaries,
  resolveBinary,
  resolveEtcd,
  type BinarySource,
  type ResolveOptions,
  type Resolution,
  type ResolvedBinaries,
} from './resolve.ts';
export { checkFileSum, defaultCacheRoot } from './cache.ts';
export { formatChecksumLine, parseChecksumLine, sha256File } from './checksum.ts';
export { bundleNodeProgram, NodeBundleError, type NodeBundleOptions } from './node-bundle.ts';
export {
  registryConfig,
  RegistryStartError,
  startRegistry,
  type RegistryOptions,
  type RunningRegistry,
} from './registry.ts';
export {
  buildImage,
  FILE_CAPABILITY_BITS,
  fileCapabilityXattr,
  OciImageBuildError,
  OCI_CONFIG_MEDIA_TYPE,
  OCI_LAYER_GZIP_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
  sha256Digest,
  type Blob,
  type FileCapability,
  type ImageFile,
  type ImageSpec,
  type OciImage,
} from './oci/image.ts';
export { pushBlob, pushImage, RegistryPushError, type PushedImage, type PushTarget } from './oci/push.ts';
export {
  PAUSE_IMAGE_REPOSITORY,
  PAUSE_VERSION,
  PauseBuildError,
  pauseImageSpec,
  resolvePause,
  type PauseOptions,
} from './pause.ts';
export {
  NODE_PROGRAM_RUNTIME,
  NODE_PROGRAM_USER,
  nodeProgramImageSpec,
  pinnedNodeRuntime,
  type NodeProgramImageInput,
} from './node-program-image.ts';
export {
  KUBE_PROXY_IMAGE_REPOSITORY,
  KUBE_PROXY_IMAGE_TAG,
  KUBE_PROXY_PATH,
  kubeProxyImageSpec,
} from './kube-proxy-image.ts';
export {
  FLANNEL_CNI_PLUGIN_IMAGE_REPOSITORY,
  FLANNEL_CNI_PLUGIN_IMAGE_TAG,
  FLANNEL_CNI_PLUGIN_PATH,
  FLANNEL_IMAGE_REPOSITORY,
  FLANNEL_IMAGE_TAG,
  FLANNELD_PATH,
  flannelCniPluginImageSpec,
  flannelImageSpec,
  type FlannelCniPluginImageInput,
  type FlannelImageInput,
} from './flannel-image.ts';
export {
  COREDNS_IMAGE_REPOSITORY,
  COREDNS_IMAGE_TAG,
  COREDNS_PATH,
  COREDNS_USER,
  corednsImageSpec,
} from './coredns-image.ts';
export {
  hostExecutableFiles,
  HostExecutableError,
  LOADER_SEARCH_DIRS,
  NETFILTER_TOOLS,
  parseLddOutput,
  type HostExecutable,
  type HostImageFile,
  type LddEntry,
  type LddReport,
} from './host-binaries.ts';
