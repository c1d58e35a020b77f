// The simulated Container Linux: the local implementation of the node OS
// contract, which is in @strata/api.
export { DEFAULT_UPDATE_SIZE, ManualUpdateSource, type ManualOffer } from './update-source.ts';
// The update engine's shared parts, re-exported so that the local platform's callers need one import.
export {
  compareVersions,
  DEFAULT_MAX_PAYLOAD_BYTES,
  OmahaUpdateSource,
  parseUpdateConf,
  readUpdateConf,
  UPDATE_CONF_PATH,
  updateSettingsFrom,
  type BootOutcome,
  type OmahaUpdateSourceOptions,
  type PayloadLocation,
  type UpdateCheckRequest,
  type UpdateConf,
  type UpdateFailure,
  type UpdateOffer,
  type UpdateProgressEvent,
  type UpdateSource,
} from '@strata/update-engine';
export {
  DEFAULT_UPDATE_ENGINE_TIMINGS,
  SimulatedUpdateEngine,
  type SimulatedStageTimings,
  type SimulatedUpdateEngineOptions,
  type UpdateEngineTimings,
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
export { machineTrustStore, TRUST_STORE } from '@strata/update-engine';
export { DEFAULT_FLATCAR_CODENAME, osRelease, simulatedOsId, type OsId } from './os-release.ts';
export {
  InvalidOsInputError,
  UnsimulatedOsError,
  EventReportFailedError,
  ListenerFailedError,
  MachinePoweredOffError,
  PayloadServerError,
  UpdateEngineUnavailableError,
  UpdateFailedError,
  type ProblemReporter,
} from './errors.ts';
