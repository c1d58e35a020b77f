import { KUBE_SYSTEM } from '../node-agents.ts';

/** Names of the join approver's objects, which its binary, the renderer and tests refer to. */
export const JOIN_APPROVER_NAMES = {
  /** Where its Lease and the bootstrap token Secrets are. */
  namespace: KUBE_SYSTEM,
  /** The Lease the replicas (one static pod per controller) elect their leader with. */
  lease: 'strata-join-approver',
  /**
   * The user of its client certificate. A user, not a ServiceAccount: it runs as a static pod on the controllers
   * before any node has joined, so it cannot be scheduled, and nothing could mount a ServiceAccount token for it.
   */
  user: 'system:strata:join-approver',
  /** ClusterRole(Binding) and Role(Binding) names. */
  role: 'strata:join-approver',
  /** The ValidatingAdmissionPolicy (and its binding) that lets it delete only bootstrap token Secrets. */
  tokenPolicy: 'strata-join-approver-token-deletes',
  /** The static pod's name, container and the command it runs. */
  component: 'join-approver',
} as const;
