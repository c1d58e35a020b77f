// Node's test runner loads this with --test-global-setup: one control plane
// for every integration test file, instead of one per file.
import { join } from 'node:path';
import { startControlPlane, type RunningControlPlane } from './control-plane.ts';
import { SHARED_CONTROL_PLANE_VARIABLE } from './shared.ts';

let running: RunningControlPlane | undefined;

export async function globalSetup(): Promise<void> {
  const started = Date.now();
  running = await startControlPlane();
  process.env[SHARED_CONTROL_PLANE_VARIABLE] = join(running.info.dir, 'control-plane.json');
  process.stderr.write(`[harness] control plane at ${running.info.server} ready in ${Date.now() - started} ms\n`);
}

export async function globalTeardown(): Promise<void> {
  await running?.stop();
}
