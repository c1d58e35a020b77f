export { BareMetalFlowError } from './errors.ts';
export {
  FLATCAR_ASSETS_DIR,
  FLATCAR_PXE_INITRD,
  FLATCAR_PXE_KERNEL,
  flatcarPxeArgs,
  flatcarPxeFiles,
  ignitionUrl,
} from './flatcar.ts';
export { installedIgnitionUrl, installIgnition, type InstallIgnitionInput } from './install-ignition.ts';
export { ignitionName, installedId, installId } from './names.ts';
export {
  NODE_IMAGE_ASSET_FILES,
  NODE_IMAGE_ASSETS_DIR,
  nodeImageAssetPaths,
  nodeImageInstallBoot,
  nodeImageInstalledIgnitionUrl,
  nodeImageReleaseSchema,
  type NodeImageRelease,
} from './node-image.ts';
export { bareMetalFlowOptionsSchema, type BareMetalFlowOptions, type BareMetalFlowOptionsInput } from './options.ts';
export type { BareMetalPlan, IgnitionTemplate } from './plan.ts';
export { planBareMetal, withheldFiles, type BareMetalFlowInput } from './plan-bare-metal.ts';
export { bareMetalProgram, type BareMetalProgramOutputs } from './program.ts';
export { readRenderedIgnition } from './rendered-ignition.ts';
