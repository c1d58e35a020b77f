// The public API of @strata/update-operator.
export { runOperator, startOperator, type RunOperatorOptions, type RunningOperator } from './operator/run-operator.ts';
export { systemClock, type Clock } from './operator/controller.ts';
export {
  planRollout,
  writesOf,
  type FleetLockDecision,
  type PlanInput,
  type PlannedAction,
  type RolloutPlan,
} from './operator/plan.ts';
export { NODE_PHASES, type NodePhase } from './operator/phase.ts';
export { BLOCKED_REASONS, EVENT_REASONS, type BlockedReason, type EventReason } from './operator/reasons.ts';
export { runAgent, type RunAgentOptions } from './agent/index.ts';
export {
  PolicyValueError,
  resolveMaxUnavailable,
  selectorMatches,
  windowState,
  type WindowState,
} from './policy/index.ts';
export { rolloutPolicyOf, type RolloutPolicy } from './operator/rollout-policy.ts';
export { ANNOTATIONS, LABELS, UPDATE_PROTOCOL_PREFIX, TRUE, FALSE } from '@strata/api';
export {
  startFleetLockServer,
  type FleetLockAnswer,
  type FleetLockHandler,
  type FleetLockServerOptions,
  type RunningFleetLockServer,
} from './fleetlock/server.ts';
export {
  FLEETLOCK_ERROR_KINDS,
  FLEETLOCK_HEADER,
  FLEETLOCK_HEADER_VALUE,
  FLEETLOCK_MAX_BODY_BYTES,
  FLEETLOCK_PATHS,
  ZINCATI_APP_ID,
  fleetLockRequestSchema,
  type FleetLockClientParams,
  type FleetLockErrorBody,
  type FleetLockErrorKind,
  type FleetLockRequest,
} from './fleetlock/protocol.ts';
export { appSpecificId, zincatiClientId } from './fleetlock/app-specific-id.ts';
