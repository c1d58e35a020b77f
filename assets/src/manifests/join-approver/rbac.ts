import type { KubernetesObject, V1PolicyRule } from '@kubernetes/client-node';
import { KUBELET_CLIENT_SIGNER, KUBELET_SERVING_SIGNER } from '@strata/api';
import { clusterRole, clusterRoleBinding, role, roleBinding, userSubject } from '../rbac.ts';
import { JOIN_APPROVER_NAMES } from './names.ts';

// Least privilege: each rule names what the approver does with it.
const CLUSTER_RULES: V1PolicyRule[] = [
  // Reads every CSR; judges only the kubelet client signer's.
  { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/approval'], verbs: ['update'] },
  // The API server also asks whether the approver may approve for the CSR's signer: the kubelet's two only.
  {
    apiGroups: ['certificates.k8s.io'],
    resources: ['signers'],
    resourceNames: [KUBELET_CLIENT_SIGNER, KUBELET_SERVING_SIGNER],
    verbs: ['approve'],
  },
  // Which names are registered, and in which pool (a pool token may not take over another pool's Node); which
  // addresses a Node has (its serving certificate may name those only).
  { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create'] },
];

// Deleting a registered node's token; the admission policy of token-policy.ts keeps it to bootstrap token Secrets.
// Creating a Lease cannot be limited to a name (authorization does not know it before the object exists).
const KUBE_SYSTEM_RULES: V1PolicyRule[] = [
  { apiGroups: [''], resources: ['secrets'], verbs: ['delete'] },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
  {
    apiGroups: ['coordination.k8s.io'],
    resources: ['leases'],
    resourceNames: [JOIN_APPROVER_NAMES.lease],
    verbs: ['get', 'update'],
  },
];

/** The approver's ClusterRole and kube-system Role, bound to its user. */
export function joinApproverRbac(): KubernetesObject[] {
  const { role: name, namespace, user } = JOIN_APPROVER_NAMES;
  const subject = userSubject(user);
  return [
    clusterRole(name, CLUSTER_RULES),
    clusterRoleBinding(name, name, [subject]),
    role(name, namespace, KUBE_SYSTEM_RULES),
    roleBinding(name, namespace, name, [subject]),
  ];
}
