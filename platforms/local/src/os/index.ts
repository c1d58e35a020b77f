// The simulated Container Linux: the local implementation of the node OS
// contract, which is in @strata/api.
export {
  DEFAULT_UPDATE_SIZE,
  ManualUpdateSource,
  type BootOutcome,
  type ManualOffer,
  type PayloadLocation,
  type UpdateCheckRequest,
  type UpdateOffer,
  type UpdateProgressEvent,
  type UpdateSource,
} from './update-source.ts';
export { DEFAULT_MAX_PAYLOAD_BYTES, OmahaUpdateSource, type OmahaUpdateSourceOptions } from './omaha-update-source.ts';
export {
  parseUpdateConf,
  readUpdateConf,
  UPDATE_CONF_PATH,
  updateSettingsFrom,
  type UpdateConf,
} from './update-conf.ts';
export {
  DEFAULT_UPDATE_ENGINE_TIMINGS,
  SimulatedUpdateEngine,
  type SimulatedUpdateEngineOptions,
  type UpdateEngineTimings,
  type UpdateFailure,
} from './simulated-update-engine.ts';
export {
  DEFAULT_REBOOT_DELAY_MS,
  SimulatedOperatingSystem,
  type MachineState,
  type SimulatedOsOptions,
  type SlotName,
  type Slots,
} from './simulated-os.ts';
export {
  OsFaults,
  type ArmedFaults,
  type ArmedUpdateFailure,
  type RebootFailure,
  type UpdateFailureStage,
} from './faults.ts';
export { startSimulatedPayloadServer, type SimulatedPayloadServer } from './payload-server.ts';
export { machineTrustStore, TRUST_STORE } from './trust-store.ts';
export { DEFAULT_FLATCAR_CODENAME, osRelease, type OsId } from './os-release.ts';
export { compareVersions } from './version.ts';
export {
  InvalidOsInputError,
  EventReportFailedError,
  ListenerFailedError,
  MachinePoweredOffError,
  PayloadServerError,
  UpdateEngineUnavailableError,
  UpdateFailedError,
  type ProblemReporter,
} from './errors.ts';
