import type { V1ValidatingAdmissionPolicy, V1ValidatingAdmissionPolicyBinding } from '@kubernetes/client-node';
import { ADMISSION, denyingBinding } from '../update-operator/node-policy-rules.ts';
import { JOIN_APPROVER_NAMES } from './names.ts';

// RBAC can grant `delete` on kube-system's Secrets but not on a type of Secret: without this policy a stolen
// approver certificate could delete any Secret in kube-system. A DELETE reaches admission with the stored object as
// oldObject, whose type CEL can read.
const BOOTSTRAP_TOKEN_TYPE = 'bootstrap.kubernetes.io/token';

function policy(): V1ValidatingAdmissionPolicy {
  return {
    apiVersion: ADMISSION,
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: JOIN_APPROVER_NAMES.tokenPolicy },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: {
        resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['DELETE'], resources: ['secrets'] }],
      },
      matchConditions: [
        { name: 'join-approver', expression: `request.userInfo.username == '${JOIN_APPROVER_NAMES.user}'` },
      ],
      validations: [
        {
          expression: `oldObject != null && has(oldObject.type) && oldObject.type == '${BOOTSTRAP_TOKEN_TYPE}'`,
          message: `the join approver may delete only Secrets of type ${BOOTSTRAP_TOKEN_TYPE}`,
          reason: 'Forbidden',
        },
      ],
    },
  };
}

/** Keeps the join approver's deletes to bootstrap token Secrets. */
export function joinApproverTokenPolicy(): [V1ValidatingAdmissionPolicy, V1ValidatingAdmissionPolicyBinding] {
  return [policy(), denyingBinding(JOIN_APPROVER_NAMES.tokenPolicy)];
}
