import { z } from 'zod';
import { COMPONENT_NAMES } from '@strata/binaries';

/** What a running harness control plane is, as written to `control-plane.json` and shared between test processes. */
export const controlPlaneInfoSchema = z.strictObject({
  dir: z.string(),
  server: z.url(),
  kubeconfigPath: z.string(),
  pkiDir: z.string(),
  etcdEndpoint: z.url(),
  binaries: z.record(z.enum(COMPONENT_NAMES), z.string()),
  components: z.array(z.string()),
  pids: z.array(z.number().int()),
});

export type ControlPlaneInfo = z.infer<typeof controlPlaneInfoSchema>;
