export { STRATA_NODE_IMAGE_VERSION } from './version.ts';
export {
  ADDON_CNI_BIN_DIR,
  CNI_BIN_DIR,
  CONTAINERD_CONFIG,
  CONTAINERD_CONFIG_PATH,
  CONTAINERD_UNIT,
  DEBIAN_PACKAGES,
  DEBIAN_SUITE,
  IMAGE_FILES,
  installPathOf,
  OS_RELEASE,
  ROOT_LABEL,
  USR_LABEL,
} from './recipe.ts';
// Where the image has strata-usr-update (in /usr: each slot brings its own), which update_engine calls.
export { USR_UPDATE_TOOL_PATH } from '@strata/update-engine';
export {
  DEFAULT_APT_SOURCES,
  ensureNodeImage,
  inputsHash,
  NodeImageInputsSchema,
  planNodeImage,
  type EnsureOptions,
  type NodeImage,
  type NodeImageBuilder,
  type NodeImageInputs,
  type NodeImagePlan,
  type PlanOptions,
  type Progress,
} from './image.ts';
export {
  BOOT_TRIES,
  ESP_SIZE_MIB,
  PARTITION_LABELS,
  planDiskLayout,
  SLOT_A_ENTRY_ID,
  SLOTS,
  UPDATE_BOOT_TRIES,
  USR_SLOT_SIZE_MIB,
  type Slot,
  type DiskLayout,
  type DiskPartition,
} from './disk-layout.ts';
export { readPartitionTable, type TablePartition } from './disk.ts';
export { ARTIFACTS, NodeImageCache, type Artifact, type ImageLookup } from './cache.ts';
export { findHostTool, HOST_TOOL_PACKAGES, type HostTool } from './host-tools.ts';
export { NodeImageBootError, NodeImageBuildError, NodeImageError, NodeImageHostToolMissingError } from './errors.ts';
export {
  FIRSTBOOT_ARGS,
  FIRSTBOOT_COMPLETE_UNIT_NAME,
  FIRSTBOOT_CONFIG_URL_ARG,
  INSTALL_ARGS,
  installKernelArguments,
  type InstallBoot,
} from './install-tool.ts';
