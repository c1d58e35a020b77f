export { Backoff, BackoffConfigError, type BackoffOptions } from './backoff.ts';
export { ExponentialBackoffRateLimiter, type ExponentialBackoffOptions, type RateLimiter } from './rate-limiter.ts';
export {
  Informer,
  InformerError,
  type InformerChange,
  type InformerOptions,
  type InformerSelectors,
  type InformerState,
} from './informer.ts';
export {
  WorkQueue,
  runWorkers,
  type RunWorkersOptions,
  type WorkHandler,
  type WorkQueueOptions,
} from './work-queue.ts';
export {
  LeaderElector,
  LeaderElectionConfigError,
  type LeaderElectionOptions,
  type LeaseClient,
} from './leader-election.ts';
export { campaignForLease, type LeaseCampaign, type LeaseCampaignOptions } from './lease-campaign.ts';
export {
  DelegatedAuth,
  type AccessReviewAnswer,
  type ResourceAttributes,
  type ReviewedUser,
  type TokenReviewAnswer,
} from './delegated-auth.ts';
export { Health, type HealthOptions, type ProbeAnswer } from './health.ts';
export { startMetricsServer, MetricsServerError, type MetricsServer, type MetricsServerOptions } from './metrics.ts';
export {
  loadKubeConfig,
  KubeConfigLoadError,
  podServiceAccountDir,
  SERVICE_ACCOUNT_DIR,
  type LoadKubeConfigOptions,
} from './kube-config.ts';
export { applyManifestObject, toClientModel } from './apply.ts';
export {
  statusCodeOf,
  isNotFound,
  isConflict,
  isAlreadyExists,
  isGone,
  isClusterIpAlreadyAllocated,
  isTransient,
  apiStatusOf,
  describeApiError,
  kubernetesApiError,
  KubernetesApiError,
  type ApiCall,
  type ApiStatus,
} from './api-errors.ts';
export { rfc3339 } from './time.ts';
export {
  EventRecorder,
  nodeEventObject,
  CLUSTER_EVENT_NAMESPACE,
  MAX_EVENT_NOTE_BYTES,
  type EventObject,
  type EventRecorderOptions,
  type KubernetesEvent,
} from './event-recorder.ts';
export {
  deleteOptionsOf,
  evictionOf,
  MIRROR_POD_ANNOTATION,
  podDrainDecision,
  type DrainRefusal,
  type DrainSkipReason,
  type PodDrainDecision,
  type PodDrainOptions,
} from './drain-selection.ts';
export { PooledKubeConfig } from './pooled-kube-config.ts';
