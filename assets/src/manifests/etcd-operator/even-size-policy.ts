import type { V1ValidatingAdmissionPolicy, V1ValidatingAdmissionPolicyBinding } from '@kubernetes/client-node';
import { ETCD_CLUSTER } from '@strata/api';
import { ADMISSION } from '../update-operator/node-policy-rules.ts';
import { ETCD_OPERATOR_NAMES } from './names.ts';

// An even size is valid (the issue asks that it be accepted) but buys nothing: 4 members tolerate one failure, as 3
// do, with one more to fail. A CRD's CEL rules can only refuse; an admission policy bound with the Warn action lets
// `kubectl apply` say so while accepting the object.
export const EVEN_SIZE_WARNING =
  'spec.size is even: an even number of members tolerates no more failures than the odd number below it';

function policy(): V1ValidatingAdmissionPolicy {
  return {
    apiVersion: ADMISSION,
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: ETCD_OPERATOR_NAMES.evenSizePolicy },
    spec: {
      // A warning only: the policy failing to evaluate must never block an EtcdCluster.
      failurePolicy: 'Ignore',
      matchConstraints: {
        resourceRules: [
          {
            apiGroups: [ETCD_CLUSTER.group],
            apiVersions: [ETCD_CLUSTER.version],
            operations: ['CREATE', 'UPDATE'],
            resources: [ETCD_CLUSTER.plural],
          },
        ],
      },
      validations: [{ expression: 'object.spec.size % 2 == 1', message: EVEN_SIZE_WARNING, reason: 'Invalid' }],
    },
  };
}

function binding(): V1ValidatingAdmissionPolicyBinding {
  return {
    apiVersion: ADMISSION,
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: ETCD_OPERATOR_NAMES.evenSizePolicy },
    spec: { policyName: ETCD_OPERATOR_NAMES.evenSizePolicy, validationActions: ['Warn'] },
  };
}

/** Warns (never refuses) when an EtcdCluster is created or changed with an even size. */
export function etcdClusterEvenSizePolicy(): [V1ValidatingAdmissionPolicy, V1ValidatingAdmissionPolicyBinding] {
  return [policy(), binding()];
}
