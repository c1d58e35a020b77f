// Started by control-plane.integration.test.ts: brings up a control plane,
// reports it on stdout, then waits to be killed without any chance to clean up.
import { startControlPlane } from '../control-plane.ts';

const running = await startControlPlane();
process.stdout.write(JSON.stringify(running.info) + '\n');
setInterval(() => undefined, 60_000);
