export { ExponentialBackoffRateLimiter, RateLimiterConfigError, type ExponentialBackoffOptions, type RateLimiter } from './rate-limiter.ts';
export { WorkQueue, runWorkers, type RunWorkersOptions, type WorkHandler, type WorkQueueOptions } from './work-queue.ts';
export { LeaderElector, LeaderElectionConfigError, type LeaderElectionOptions, type LeaseClient } from './leader-election.ts';
export { Health, type HealthOptions, type ProbeAnswer } from './health.ts';
export { startMetricsServer, MetricsServerError, type MetricsServer, type MetricsServerOptions } from './metrics.ts';
export { loadKubeConfig, KubeConfigLoadError, SERVICE_ACCOUNT_DIR, type LoadKubeConfigOptions } from './kube-config.ts';
export { applyManifestObject, toClientModel } from './apply.ts';
