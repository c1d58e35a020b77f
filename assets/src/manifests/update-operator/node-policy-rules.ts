import type { V1ValidatingAdmissionPolicyBinding } from '@kubernetes/client-node';
import { UPDATE_PROTOCOL_PREFIX } from '@strata/api';

// CEL pieces shared by the admission policies that hold the update agent and the update operator to the update
// protocol's part of a Node (agent-node-policy.ts, operator-node-policy.ts).

export const ADMISSION = 'admissionregistration.k8s.io/v1';

/** Node fields other than spec.unschedulable, labels and annotations, which neither may change (Kubernetes v1.36 NodeSpec). */
export const FROZEN_FIELDS = [
  'spec.taints',
  'spec.podCIDR',
  'spec.podCIDRs',
  'spec.providerID',
  'spec.configSource',
  'spec.externalID',
  'metadata.finalizers',
  'metadata.ownerReferences',
] as const;

const unchanged = (field: string) =>
  `has(object.${field}) == has(oldObject.${field}) && (!has(object.${field}) || object.${field} == oldObject.${field})`;

/** Every field of FROZEN_FIELDS is as it was. */
export const frozenFieldsUnchanged = (): string => FROZEN_FIELDS.map(unchanged).join(' && ');

const isUpdateKey = (key: string) => `${key}.startsWith('${UPDATE_PROTOCOL_PREFIX}')`;

/** Keys of the map `after` outside the update prefix are those of `before`, with the same values. */
export const onlyUpdateKeysChange = (before: string, after: string): string =>
  `${before}.all(key, ${isUpdateKey('key')} || (key in ${after} && ${after}[key] == ${before}[key])) && ` +
  `${after}.all(key, ${isUpdateKey('key')} || key in ${before})`;

/** As onlyUpdateKeysChange, except that keys outside the update prefix may also be removed. */
export const onlyUpdateKeysChangeOrOthersGo = (before: string, after: string): string =>
  `${before}.all(key, ${isUpdateKey('key')} || !(key in ${after}) || ${after}[key] == ${before}[key]) && ` +
  `${after}.all(key, ${isUpdateKey('key')} || key in ${before})`;

/** Variables oldLabels, newLabels, oldAnnotations and newAnnotations: the maps, empty when absent. */
export const metadataMapVariables = (): { name: string; expression: string }[] => [
  { name: 'oldLabels', expression: 'has(oldObject.metadata.labels) ? oldObject.metadata.labels : {}' },
  { name: 'newLabels', expression: 'has(object.metadata.labels) ? object.metadata.labels : {}' },
  { name: 'oldAnnotations', expression: 'has(oldObject.metadata.annotations) ? oldObject.metadata.annotations : {}' },
  { name: 'newAnnotations', expression: 'has(object.metadata.annotations) ? object.metadata.annotations : {}' },
];

/** The binding that puts a policy of the same name into force, refusing what it refuses. */
export function denyingBinding(policyName: string): V1ValidatingAdmissionPolicyBinding {
  return {
    apiVersion: ADMISSION,
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: policyName },
    spec: { policyName, validationActions: ['Deny'] },
  };
}
