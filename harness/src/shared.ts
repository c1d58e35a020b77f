import { startControlPlane, readControlPlaneInfo } from './control-plane.ts';
import { HarnessCluster } from './harness-cluster.ts';

/** Set by the global setup to the control-plane.json of the control plane all test files share. */
export const SHARED_CONTROL_PLANE_VARIABLE = 'STRATA_SHARED_CONTROL_PLANE';

let shared: Promise<HarnessCluster> | undefined;

/**
 * The control plane that this test run shares. Under `npm test` the global
 * setup starts one for all test files; a file run on its own starts a private
 * one, which stops when the test process exits (its guardians see to that, so
 * this works from a hook, a test or the top level alike).
 */
export function sharedControlPlane(): Promise<HarnessCluster> {
  shared ??= (async () => {
    const statePath = process.env[SHARED_CONTROL_PLANE_VARIABLE];
    if (statePath) return new HarnessCluster(await readControlPlaneInfo(statePath));
    const running = await startControlPlane({ releaseWithProcess: true });
    return new HarnessCluster(running.info);
  })();
  return shared;
}
