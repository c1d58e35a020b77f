import type { KubernetesObject, V1PolicyRule, V1ServiceAccount } from '@kubernetes/client-node';
import { clusterRole, clusterRoleBinding, role, roleBinding, serviceAccountSubject, leaseRules } from '../rbac.ts';
import { UPDATE_OPERATOR_NAMESPACE, UPDATE_OPERATOR_NAMES } from './names.ts';
import { UPDATE_POLICY } from '@strata/api';

// Least privilege: each rule names what its holder does with it.

const EVENT_GROUPS = ['', 'events.k8s.io'];

const OPERATOR_RULES: V1PolicyRule[] = [
  // Reads every node's update state and writes the grants (reboot-ok, before-reboot, ...) and FleetLock cordons;
  // the ValidatingAdmissionPolicy of operator-node-policy.ts keeps `patch` to those writes.
  { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch', 'patch'] },
  // Drains the nodes whose reboots Zincati asks for through FleetLock.
  { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
  { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
  { apiGroups: [UPDATE_POLICY.group], resources: [UPDATE_POLICY.plural], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [UPDATE_POLICY.group], resources: [`${UPDATE_POLICY.plural}/status`], verbs: ['update', 'patch'] },
  // An Event for every decision; patch lets a recorder count repeats instead of writing new Events.
  { apiGroups: EVENT_GROUPS, resources: ['events'], verbs: ['create', 'patch'] },
];

const LEASE_RULES = leaseRules(UPDATE_OPERATOR_NAMES.lease);

// `patch` on nodes is for the agent's own Node only: RBAC cannot say so, the ValidatingAdmissionPolicy of
// agent-node-policy.ts does.
const AGENT_RULES: V1PolicyRule[] = [
  { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch', 'patch'] },
  // Drains its node through the Eviction API, so PodDisruptionBudgets hold.
  { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
  { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
  // The drain settings of the policy that granted the reboot.
  { apiGroups: [UPDATE_POLICY.group], resources: [UPDATE_POLICY.plural], verbs: ['get', 'list', 'watch'] },
  { apiGroups: EVENT_GROUPS, resources: ['events'], verbs: ['create'] },
];

function serviceAccount(name: string): V1ServiceAccount {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: UPDATE_OPERATOR_NAMESPACE } };
}

/** ServiceAccounts and RBAC of the operator and the agent. */
export function updateOperatorRbac(): KubernetesObject[] {
  const { operator, agent } = UPDATE_OPERATOR_NAMES;
  const operatorSubject = serviceAccountSubject(operator, UPDATE_OPERATOR_NAMESPACE);
  const agentSubject = serviceAccountSubject(agent, UPDATE_OPERATOR_NAMESPACE);
  return [
    serviceAccount(operator),
    serviceAccount(agent),
    clusterRole(`strata:${operator}`, OPERATOR_RULES),
    clusterRoleBinding(`strata:${operator}`, `strata:${operator}`, [operatorSubject]),
    role(`strata:${operator}-leader-election`, UPDATE_OPERATOR_NAMESPACE, LEASE_RULES),
    roleBinding(`strata:${operator}-leader-election`, UPDATE_OPERATOR_NAMESPACE, `strata:${operator}-leader-election`, [
      operatorSubject,
    ]),
    clusterRole(`strata:${agent}`, AGENT_RULES),
    clusterRoleBinding(`strata:${agent}`, `strata:${agent}`, [agentSubject]),
  ];
}
