// A node as the OS updates page shows it: where it is in a rollout, in the update operator's own vocabulary
// (UPDATE_PHASES, as UpdatePolicy's status counts nodes) and in words, projected on the server from the
// update.strata.dev/* labels and annotations and the node's Ready and cordon state.
import { z } from 'zod';
import { UPDATE_PHASES } from '@strata/api';

export const rolloutRowSchema = z.strictObject({
  name: z.string(),
  phase: z.enum(UPDATE_PHASES),
  /** What the node is doing, in words: e.g. "Waiting for a slot", "Cordoned, draining", "Rebooting", "Back on 4230.2.3". */
  state: z.string(),
  /** The running OS version, from the update agent's label. */
  version: z.string().optional(),
  /** The version update_engine staged, when the agent reported one. */
  newVersion: z.string().optional(),
  /** The UpdatePolicy that granted the node's reboot, while it holds one. */
  policy: z.string().optional(),
});
export type RolloutRow = z.infer<typeof rolloutRowSchema>;
