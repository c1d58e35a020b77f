import type { KubernetesObject, V1PolicyRule, V1ServiceAccount } from '@kubernetes/client-node';
import { ETCD_BACKUP, ETCD_CLUSTER, ETCD_RESTORE } from '@strata/api';
import { clusterRole, clusterRoleBinding, role, roleBinding, serviceAccountSubject, leaseRules } from '../rbac.ts';
import { ETCD_OPERATOR_NAMES, ETCD_OPERATOR_NAMESPACE } from './names.ts';

// Least privilege: each rule names what the operator does with it.
const OPERATOR_RULES: V1PolicyRule[] = [
  { apiGroups: [ETCD_CLUSTER.group], resources: [ETCD_CLUSTER.plural], verbs: ['get', 'list', 'watch'] },
  // A restore creates its NEW EtcdCluster; nothing updates or deletes an EtcdCluster's spec.
  { apiGroups: [ETCD_CLUSTER.group], resources: [ETCD_CLUSTER.plural], verbs: ['create'] },
  { apiGroups: [ETCD_CLUSTER.group], resources: [`${ETCD_CLUSTER.plural}/status`], verbs: ['update', 'patch'] },
  // The members' pods: created one at a time, deleted only once their member is gone.
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'create', 'delete'] },
  // Each member's PersistentVolumeClaim (storage.pvc): created before its pod, deleted only once its member is gone.
  { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['get', 'list', 'watch', 'create', 'delete'] },
  // One PodDisruptionBudget per cluster, written by server-side apply (patch; create the first time).
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ['get', 'create', 'patch'] },
  // EtcdBackups are read and watched, never created or changed: only their status is written.
  { apiGroups: [ETCD_BACKUP.group], resources: [ETCD_BACKUP.plural], verbs: ['get', 'list', 'watch'] },
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
];

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
    role(`strata:${operator}-leader-election`, ETCD_OPERATOR_NAMESPACE, LEASE_RULES),
    roleBinding(`strata:${operator}-leader-election`, ETCD_OPERATOR_NAMESPACE, `strata:${operator}-leader-election`, [
      subject,
    ]),
  ];
}
