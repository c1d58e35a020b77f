import type {
  RbacV1Subject,
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1PolicyRule,
  V1Role,
  V1RoleBinding,
} from '@kubernetes/client-node';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

export function groupSubject(name: string): RbacV1Subject {
  return { kind: 'Group', apiGroup: RBAC_GROUP, name };
}

export function userSubject(name: string): RbacV1Subject {
  return { apiGroup: RBAC_GROUP, kind: 'User', name };
}

export function serviceAccountSubject(name: string, namespace: string): RbacV1Subject {
  return { kind: 'ServiceAccount', name, namespace };
}

export function clusterRole(name: string, rules: readonly V1PolicyRule[]): V1ClusterRole {
  return { apiVersion: `${RBAC_GROUP}/v1`, kind: 'ClusterRole', metadata: { name }, rules: [...rules] };
}

export function clusterRoleBinding(
  name: string,
  clusterRole: string,
  subjects: readonly RbacV1Subject[],
): V1ClusterRoleBinding {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: clusterRole },
    subjects: [...subjects],
  };
}

export function role(name: string, namespace: string, rules: readonly V1PolicyRule[]): V1Role {
  return { apiVersion: `${RBAC_GROUP}/v1`, kind: 'Role', metadata: { name, namespace }, rules: [...rules] };
}

export function roleBinding(
  name: string,
  namespace: string,
  role: string,
  subjects: readonly RbacV1Subject[],
): V1RoleBinding {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'RoleBinding',
    metadata: { name, namespace },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: role },
    subjects: [...subjects],
  };
}

/**
 * A leader-elected component's rights on its Lease. Creating a Lease cannot be limited to a name (authorization does
 * not know the name before the object exists); reading and renewing it can.
 */
export function leaseRules(leaseName: string): V1PolicyRule[] {
  return [
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [leaseName], verbs: ['get', 'update'] },
  ];
}
