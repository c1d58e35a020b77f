export {
  bootDiskWithCheck,
  bootWithCheck,
  LOADER_VARIABLES_GUID,
  prepareCheckedDiskImage,
  processesNaming,
  CHECK_PREFIX,
  CHECK_UNIT,
  checkedBootArguments,
  checkIgnitionParts,
  prepareCheckedDisk,
  watchCheckedBoot,
  type BootMarks,
  type BootOptions,
  type CheckedBoot,
  type CheckedDiskOptions,
  type WatchOptions,
} from './boot.ts';
export {
  IGNITION_SPEC_VERSION,
  ignitionConfig,
  sshEd25519PublicKey,
  type IgnitionConfigSpec,
  type IgnitionFileSpec,
  type IgnitionUnitSpec,
  type IgnitionUserSpec,
} from './ignition.ts';
export { deriveUsrPayload, type UsrPayload, type UsrPayloadSpec } from './usr-payload.ts';
// The UEFI firmware the disk boots take, shared with the machine lab.
export { OVMF_CODE, OVMF_VARS } from '@strata/host';
