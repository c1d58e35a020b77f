// The public entry point of @strata/harness, for tests of every package.
export {
  startControlPlane,
  ControlPlaneStartError,
  type RunningControlPlane,
  type StartOptions,
} from './control-plane.ts';
export { controlPlaneInfoSchema, type ControlPlaneInfo } from './control-plane-info.ts';
export { HarnessCluster } from './harness-cluster.ts';
// The shape of StartOptions.jwtAuthenticators, for tests that give kube-apiserver an OpenID provider.
export type { JwtAuthenticator } from '@strata/assets';
export { sharedControlPlane, SHARED_CONTROL_PLANE_VARIABLE } from './shared.ts';
// Re-exported for tests that start processes of their own beside the control plane.
export { ComponentExitedError, ManagedProcess, waitUntilHealthy, type ClientTls, type ProcessSpec } from '@strata/host';
// The one poll for tests, from @strata/host so that production code can wait the same way.
export { waitFor, WaitTimeoutError, type WaitForOptions } from '@strata/host';
export { uniqueName } from './unique-name.ts';
export { installCrds } from './testing/install-crds.ts';
export { waitUntilNotFound } from './testing/wait-until-not-found.ts';
// Server-side apply from the toolkit, for the tests of packages below it (@strata/api's CRDs against the API server).
export { applyManifestObject } from '@strata/kube';
export {
  neverDuring,
  WatchedIntervalError,
  type NeverDuringOptions,
  type WatchedChange,
  type WatchedEvent,
} from './testing/never-during.ts';
