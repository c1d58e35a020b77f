export {
  COMPONENT_NAMES,
  ETCD_VERSION,
  KUBERNETES_VERSION,
  type ComponentName,
} from './components.ts';
export { BinariesUnavailableError, BinaryResolutionError, DownloadError, GoBuildError } from './errors.ts';
export {
  BIN_DIR_VARIABLE,
  resolveAllBinaries,
  resolveBinaries,
  type BinarySource,
  type ResolveOptions,
  type Resolution,
  type ResolvedBinaries,
} from './resolve.ts';
export { defaultCacheRoot } from './cache.ts';
