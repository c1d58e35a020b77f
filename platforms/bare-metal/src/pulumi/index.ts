export {
  BootGroup,
  BootIgnition,
  BootProfile,
  type BootGroupArgs,
  type BootIgnitionArgs,
  type BootProfileArgs,
} from './resources.ts';
export { BootResourceExistsError } from './crud.ts';
export { diffInputs, type InputsDiff } from './diff.ts';
