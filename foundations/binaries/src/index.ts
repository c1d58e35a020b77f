export {
  BUTANE_VERSION,
  COMPONENT_NAMES,
  ETCD_VERSION,
  KUBERNETES_VERSION,
  MATCHBOX_VERSION,
  PULUMI_VERSION,
  TOOL_NAMES,
  type BinaryName,
  type ComponentName,
  type ToolName,
} from './components.ts';
export { BinariesUnavailableError, BinaryResolutionError, DownloadError, GoBuildError } from './errors.ts';
export {
  BIN_DIR_VARIABLE,
  resolveAllBinaries,
  resolveBinaries,
  resolveBinary,
  type BinarySource,
  type ResolveOptions,
  type Resolution,
  type ResolvedBinaries,
} from './resolve.ts';
export { defaultCacheRoot } from './cache.ts';
