// update_engine for Strata: the state machine every Strata machine runs (simulated or real), the Omaha client it
// checks with, and update.conf.
export * from './errors.ts';
export { CancellableDelays } from './delays.ts';
export { compareVersions, versionParts, versionSchema } from './version.ts';
export type {
  BootOutcome,
  PayloadDownload,
  PayloadLocation,
  UpdateCheckRequest,
  UpdateOffer,
  UpdateProgressEvent,
  UpdateSource,
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
  DEFAULT_CHECK_TIMINGS,
  StagedUpdateEngine,
  type CheckTimings,
  type PayloadStages,
  type StageContext,
  type StagedUpdateEngineOptions,
  type UpdateFailure,
  type UpdateStage,
} from './staged-update-engine.ts';
export { machineTrustStore, TRUST_STORE } from './trust-store.ts';
export {
  exportUpdateEngine,
  UPDATE_ENGINE_STATUS_ARGS,
  UpdateEngineBusError,
  updateEngineStatusBody,
  updateEngineStatusReply,
  type ExportedUpdateEngine,
} from './daemon/dbus-service.ts';
export {
  passiveSlot,
  readSlotStatus,
  slotStatusSchema,
  USR_UPDATE_TOOL_PATH,
  type SlotStatus,
} from './daemon/slot-status.ts';
export { usrSlotStages, type UsrSlotStagesOptions } from './daemon/usr-slot-stages.ts';
export { bootOutcome, type StagedRecord } from './daemon/staged-record.ts';
export {
  DEFAULT_STATE_DIR,
  startNodeUpdateEngine,
  type NodeUpdateEngine,
  type NodeUpdateEngineOptions,
} from './daemon/node-daemon.ts';
