import type { KubernetesObject, V1PolicyRule, V1ServiceAccount } from '@kubernetes/client-node';
import { UPDATE_CHANNEL, UPDATE_GROUP, UPDATE_RELEASE } from '@strata/api';
import { clusterRole, clusterRoleBinding, role, roleBinding, serviceAccountSubject, leaseRules } from '../rbac.ts';
import { UPDATE_SERVER_NAMES, UPDATE_SERVER_NAMESPACE } from './names.ts';

// Least privilege: each rule names what `update-server run` does with it.
const SERVER_RULES: V1PolicyRule[] = [
  // Every replica watches the three resources and resolves them into the catalog the Omaha endpoint answers from.
  {
    apiGroups: [UPDATE_RELEASE.group],
    resources: [UPDATE_RELEASE.plural, UPDATE_CHANNEL.plural, UPDATE_GROUP.plural],
    verbs: ['get', 'list', 'watch'],
  },
  // The Lease holder writes channels' and groups' status (releases have none).
  {
    apiGroups: [UPDATE_RELEASE.group],
    resources: [`${UPDATE_CHANNEL.plural}/status`, `${UPDATE_GROUP.plural}/status`],
    verbs: ['update'],
  },
  // The JSON API's writes on a user's behalf, after that user's SubjectAccessReview allowed them: pause and resume
  // (a group's spec.policy.enabled), promote (a channel's spec.release). Never create or delete.
  { apiGroups: [UPDATE_RELEASE.group], resources: [UPDATE_CHANNEL.plural, UPDATE_GROUP.plural], verbs: ['patch'] },
  // Events for rollouts, resolution problems and the API's writes.
  { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
];

const LEASE_RULES = leaseRules(UPDATE_SERVER_NAMES.lease);

/** The JSON API asks the API server who a caller is (TokenReview) and what they may do (SubjectAccessReview). */
const AUTH_DELEGATOR = 'system:auth-delegator';

export function updateServerRbac(): KubernetesObject[] {
  const { server } = UPDATE_SERVER_NAMES;
  const subject = serviceAccountSubject(server, UPDATE_SERVER_NAMESPACE);
  const serviceAccount: V1ServiceAccount = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: server, namespace: UPDATE_SERVER_NAMESPACE },
  };
  return [
    serviceAccount,
    clusterRole(`strata:${server}`, SERVER_RULES),
    clusterRoleBinding(`strata:${server}`, `strata:${server}`, [subject]),
    clusterRoleBinding(`strata:${server}:auth-delegator`, AUTH_DELEGATOR, [subject]),
    role(`strata:${server}-leader-election`, UPDATE_SERVER_NAMESPACE, LEASE_RULES),
    roleBinding(`strata:${server}-leader-election`, UPDATE_SERVER_NAMESPACE, `strata:${server}-leader-election`, [
      subject,
    ]),
  ];
}
