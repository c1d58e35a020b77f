// The contract lives in @strata/assets, shared with the update operator's agent.
export {
  UPDATE_STATUSES,
  type RebootManager,
  type UpdateEngine,
  type UpdateEngineStatus,
  type UpdateStatus,
} from '@strata/api';
