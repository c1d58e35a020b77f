// The public entry point of @strata/harness, for tests of every package.
export { startControlPlane, ControlPlaneStartError, type RunningControlPlane, type StartOptions } from './control-plane.ts';
export { controlPlaneInfoSchema, type ControlPlaneInfo } from './control-plane-info.ts';
export { HarnessCluster } from './harness-cluster.ts';
export { sharedControlPlane, SHARED_CONTROL_PLANE_VARIABLE } from './shared.ts';
// Re-exported for tests that start processes of their own beside the control plane.
export { ComponentExitedError, ManagedProcess, waitUntilHealthy, type ClientTls, type ProcessSpec } from '@strata/host';
export { uniqueName } from './unique-name.ts';
export { waitFor } from './testing/wait-for.ts';
