// What the Nodes page shows of a node: a projection made on the server, so that the browser receives a few strings
// per node rather than whole Node objects, and parses them with this schema.
import { z } from 'zod';

export const nodeRowSchema = z.strictObject({
  name: z.string(),
  roles: z.array(z.string()),
  ready: z.enum(['Ready', 'NotReady', 'Unknown']),
  schedulable: z.boolean(),
  /** The node's OS image as its kubelet reports it (e.g. "Flatcar Container Linux by Kinvolk 4081.2.0 (Oklo)"). */
  osImage: z.string(),
  kubeletVersion: z.string(),
  /** The OS version the update agent reports in its label, when it runs on the node. */
  osVersion: z.string().optional(),
  /** The update operator's protocol state, in words. */
  updateState: z.string(),
  /** Someone paused the node's reboots (the update.strata.dev/reboots-paused label, ADR 0062). */
  rebootsPaused: z.boolean(),
});
export type NodeRow = z.infer<typeof nodeRowSchema>;
