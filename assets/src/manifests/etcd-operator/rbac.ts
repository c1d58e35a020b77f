import type { KubernetesObject, V1ClusterRoleBinding, V1PolicyRule, V1ServiceAccount } from '@kubernetes/client-node';
import { ETCD_BACKUP, ETCD_CLUSTER, ETCD_MEMBER_CLUSTER_ROLE, ETCD_MEMBER_SIGNER, ETCD_RESTORE } from '@strata/api';
import { clusterRole, clusterRoleBinding, leaseRules, role, roleBinding, serviceAccountSubject } from '../rbac.ts';
import { ETCD_OPERATOR_NAMES, ETCD_OPERATOR_NAMESPACE } from './names.ts';

// Least privilege: each rule names what the operator does with it.
const OPERATOR_RULES: V1PolicyRule[] = [
  { apiGroups: [ETCD_CLUSTER.group], resources: [ETCD_CLUSTER.plural], verbs: ['get', 'list', 'watch'] },
  // A restore creates its NEW EtcdCluster paused, then unpauses it (a merge patch of spec.paused, once); nothing else
  // changes or deletes an EtcdCluster's spec.
  { apiGroups: [ETCD_CLUSTER.group], resources: [ETCD_CLUSTER.plural], verbs: ['create', 'patch'] },
  { apiGroups: [ETCD_CLUSTER.group], resources: [`${ETCD_CLUSTER.plural}/status`], verbs: ['update', 'patch'] },
  // The members' pods: created one at a time, deleted only once their member is gone. A backup to a claim runs in a
  // one-shot pod (ADR 0053), created per attempt and deleted once its result (its termination message) is recorded;
  // that pod has no service account token.
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'create', 'delete'] },
  // Each member's PersistentVolumeClaim (storage.pvc): created before its pod, deleted only once its member is gone.
  { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['get', 'list', 'watch', 'create', 'delete'] },
  // One PodDisruptionBudget per cluster, written by server-side apply (patch; create the first time).
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ['get', 'create', 'patch'] },
  // EtcdBackups are read and watched, and only their status is written; the one-shot EtcdBackup of a pre-upgrade
  // snapshot is created, and deleted by the retention of pre-upgrade snapshots (only the operator's own: labelled and
  // owned by their EtcdCluster, once their snapshots are removed; RBAC cannot narrow `delete` to a label). Nothing
  // updates one.
  {
    apiGroups: [ETCD_BACKUP.group],
    resources: [ETCD_BACKUP.plural],
    verbs: ['get', 'list', 'watch', 'create', 'delete'],
  },
  { apiGroups: [ETCD_BACKUP.group], resources: [`${ETCD_BACKUP.plural}/status`], verbs: ['patch'] },
  // EtcdRestores are read and watched; only their status is written.
  { apiGroups: [ETCD_RESTORE.group], resources: [ETCD_RESTORE.plural], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [ETCD_RESTORE.group], resources: [`${ETCD_RESTORE.plural}/status`], verbs: ['patch'] },
  // A backup or a restore reads the Secrets its spec names (S3 credentials, an etcd client certificate) when it runs:
  // `get` by name only, no list or watch, so the operator never holds every Secret of the cluster in memory. RBAC
  // cannot limit `get` to names it does not know in advance.
  { apiGroups: [''], resources: ['secrets'], verbs: ['get'] },
  // An Event for every decision.
  { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
  // Automatic member TLS (ADR 0046). The operator signs its members' CSRs: it watches those of its signer (a field
  // selector on spec.signerName), approves or denies them, and writes the certificate; `approve` and `sign` only
  // for its own signerName.
  { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['get', 'list', 'watch'] },
  {
    apiGroups: ['certificates.k8s.io'],
    resources: ['certificatesigningrequests/approval', 'certificatesigningrequests/status'],
    verbs: ['update'],
  },
  {
    apiGroups: ['certificates.k8s.io'],
    resources: ['signers'],
    resourceNames: [ETCD_MEMBER_SIGNER],
    verbs: ['approve', 'sign'],
  },
  // Per cluster, owned by its EtcdCluster: the CA and client Secrets (created once; the client Secret is updated by
  // name when its certificate is renewed, ADR 0052), the CA's ConfigMap and the member service account (server-side
  // apply: patch, and create the first time).
  { apiGroups: [''], resources: ['secrets'], verbs: ['create', 'update'] },
  { apiGroups: [''], resources: ['configmaps', 'serviceaccounts'], verbs: ['get', 'create', 'patch'] },
  // The member service accounts are the subjects of one binding, which the operator updates by name; `bind` on
  // that one role lets it, without holding the role's rights itself.
  {
    apiGroups: ['rbac.authorization.k8s.io'],
    resources: ['clusterrolebindings'],
    resourceNames: [ETCD_MEMBER_CLUSTER_ROLE],
    verbs: ['get', 'update'],
  },
  {
    apiGroups: ['rbac.authorization.k8s.io'],
    resources: ['clusterroles'],
    resourceNames: [ETCD_MEMBER_CLUSTER_ROLE],
    verbs: ['bind'],
  },
];

// What a member pod's `member-cert` init container does with its bound token: create its CSR and read it back
// (polled by name: list and watch would show every CSR of the cluster).
const MEMBER_RULES: V1PolicyRule[] = [
  { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['create', 'get'] },
];

/**
 * The binding of MEMBER_RULES. Rendered without subjects: the operator adds each cluster's member service account
 * (and removes it with the cluster), and a re-apply of this file leaves them alone.
 */
const memberBinding: V1ClusterRoleBinding = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRoleBinding',
  metadata: { name: ETCD_MEMBER_CLUSTER_ROLE },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: ETCD_MEMBER_CLUSTER_ROLE },
};

const LEASE_RULES = leaseRules(ETCD_OPERATOR_NAMES.lease);

export function etcdOperatorRbac(): KubernetesObject[] {
  const { operator } = ETCD_OPERATOR_NAMES;
  const subject = serviceAccountSubject(operator, ETCD_OPERATOR_NAMESPACE);
  const serviceAccount: V1ServiceAccount = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: operator, namespace: ETCD_OPERATOR_NAMESPACE },
  };
  return [
    serviceAccount,
    clusterRole(`strata:${operator}`, OPERATOR_RULES),
    clusterRoleBinding(`strata:${operator}`, `strata:${operator}`, [subject]),
    clusterRole(ETCD_MEMBER_CLUSTER_ROLE, MEMBER_RULES),
    memberBinding,
    role(`strata:${operator}-leader-election`, ETCD_OPERATOR_NAMESPACE, LEASE_RULES),
    roleBinding(`strata:${operator}-leader-election`, ETCD_OPERATOR_NAMESPACE, `strata:${operator}-leader-election`, [
      subject,
    ]),
  ];
}
