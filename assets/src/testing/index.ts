// Public test helpers of @strata/assets, for the tests of other packages.
export { certificateRequest, renderConfig } from './fixtures.ts';
export { openssl, type OpensslResult } from './openssl.ts';
export { TEST_SYSEXT_SHA512, withTestSysextPin } from './sysext-pin.ts';
export { fixtureConfig, platformRenderDirectory, type PlatformRenderDirectory } from './platform-render.ts';
export {
  changedBeyondConfigObjects,
  encryptionConfigOf,
  checkRotationThroughProgram,
  type RecordedProgramResource,
  type RotationThroughProgram,
} from './rotation-step.ts';
export { aButaneUnit, butaneSnippet, type ButaneFile, type ButaneSnippetOptions, type ButaneUnit } from './butane.ts';
