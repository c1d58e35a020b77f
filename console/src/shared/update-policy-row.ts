// An UpdatePolicy as the OS updates page shows it: its budget, whether it is paused, how many nodes are where, and
// its conditions, projected on the server from the policy as the API server returns it.
import { z } from 'zod';
import { UPDATE_PHASES, UPDATE_POLICY_CONDITIONS } from '@strata/api';

export const policyConditionRowSchema = z.strictObject({
  type: z.enum(UPDATE_POLICY_CONDITIONS),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string(),
  message: z.string(),
});

export const updatePolicyRowSchema = z.strictObject({
  name: z.string(),
  /** spec.maxUnavailable as written: a number of nodes or a percentage. */
  maxUnavailable: z.string(),
  paused: z.boolean(),
  /** The selector in kubectl's words ("every node" when empty). */
  nodeSelector: z.string(),
  /** The reboot windows in words ("any time" when none). */
  rebootWindows: z.string(),
  /** How many nodes hold a slot of maxUnavailable, when the operator has reported it. */
  inProgress: z.int().optional(),
  /** Selected nodes per phase, when the operator has reported them. */
  nodes: z.partialRecord(z.enum([...UPDATE_PHASES, 'total', 'upToDate']), z.int()).optional(),
  conditions: z.array(policyConditionRowSchema),
  /** False while the operator has not yet acted on the latest spec (metadata.generation above status.observedGeneration). */
  observed: z.boolean(),
});
export type UpdatePolicyRow = z.infer<typeof updatePolicyRowSchema>;
export type PolicyConditionRow = z.infer<typeof policyConditionRowSchema>;
