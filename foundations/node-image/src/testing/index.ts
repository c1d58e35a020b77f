export {
  bootWithCheck,
  CHECK_PREFIX,
  CHECK_UNIT,
  checkedBootArguments,
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
