export { BootGroup, BootIgnition, BootProfile, type BootGroupArgs, type BootIgnitionArgs, type BootProfileArgs } from './resources.ts';
export { BootResourceExistsError } from './crud.ts';
export { diffInputs, type InputsDiff } from './diff.ts';
export {
  DYNAMIC_PROVIDER_PLUGIN,
  dynamicProviderScript,
  openStack,
  preparePulumiTools,
  type PulumiTools,
  type PulumiToolsOptions,
  type StackOptions,
} from './workspace.ts';
