// What every platform's Pulumi program returns to the installer, whatever the
// platform: the installer reads a stack's outputs through this schema only, so
// a program that returns something else fails at the edge with the field named.
import { z } from 'zod';

export const NODE_ROLES = ['controller', 'worker'] as const;

export const provisionedNodeSchema = z.strictObject({
  /** The Kubernetes node name the machine registers as (for a cloud worker group: the group's name). */
  name: z.string().min(1),
  role: z.enum(NODE_ROLES),
  /** The address the installer and the other nodes reach it at; unknown until the cloud assigns it. */
  address: z.string().min(1).optional(),
  /** For a group of identical workers (a cloud autoscaling group): how many machines it holds. */
  count: z.int().min(0).optional(),
});

export const platformStackOutputsSchema = z.strictObject({
  /** The Kubernetes API's URL, as kubeconfigs name it: https://<name>:<port>. */
  apiEndpoint: z.url({ protocol: /^https$/ }),
  nodes: z.array(provisionedNodeSchema),
});

export type ProvisionedNode = z.infer<typeof provisionedNodeSchema>;
export type PlatformStackOutputs = z.infer<typeof platformStackOutputsSchema>;
