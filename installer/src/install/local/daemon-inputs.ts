// The daemon resource's inputs, as the program sets them and the provider reads them back.
import { z } from 'zod';

export const daemonInputsSchema = z.strictObject({
  /** The cluster directory: the daemon's identity; another directory is another cluster. */
  dir: z.string(),
  cluster: z.string(),
  configPath: z.string(),
  controllers: z.int().nonnegative(),
  workers: z.int().nonnegative(),
  apiServerPort: z.int().positive(),
  /** A digest of every other setting of the config: a change restarts the daemon on the new config. */
  settings: z.string(),
});
export type DaemonInputs = z.infer<typeof daemonInputsSchema>;

export const daemonOutputsSchema = daemonInputsSchema.extend({ pid: z.int().positive() });
export type DaemonOutputs = z.infer<typeof daemonOutputsSchema>;

/** Inputs whose change makes another cluster, not a changed one. */
export const REPLACING_INPUTS = ['dir', 'cluster'] as const;

/** Pulumi adds its own keys (the provider's serialized form) beside ours. */
export function ownKeys(props: unknown): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(z.record(z.string(), z.unknown()).parse(props ?? {})).filter(
      ([key]) => key in daemonOutputsSchema.shape,
    ),
  );
}
