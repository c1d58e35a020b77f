// The drain shared by the agent (before a reboot) and the FleetLock server (before granting a lock).
export { drainNode, type DrainEvent, type DrainNodeOptions, type DrainResult, type PodRef } from './drain.ts';
export { cordonNode, uncordonNode, NodeChangedError, type CordonOptions } from './cordon.ts';
export {
  DEFAULT_DRAIN_SETTINGS,
  drainSettingsSchema,
  resolveDrainSettings,
  type DrainSettingsInput,
  type ResolvedDrainSettings,
} from './drain-settings.ts';
export {
  selectPodsToDrain,
  MIRROR_POD_ANNOTATION,
  type PodSelection,
  type SkippedPod,
  type SkipReason,
} from './pod-selection.ts';
export {
  CordonError,
  DrainError,
  DrainRefusedError,
  DrainSettingsError,
  DrainTimeoutError,
  EvictionFailedError,
  type BlockingPod,
} from './errors.ts';
