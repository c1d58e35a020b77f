import type { V1ValidatingAdmissionPolicy, V1ValidatingAdmissionPolicyBinding } from '@kubernetes/client-node';
import { UPDATE_PROTOCOL_PREFIX } from '@strata/api';
import { UPDATE_OPERATOR_NAMES, UPDATE_OPERATOR_USERNAME } from './names.ts';
import {
  ADMISSION,
  denyingBinding,
  frozenFieldsUnchanged,
  metadataMapVariables,
  onlyUpdateKeysChange,
  onlyUpdateKeysChangeOrOthersGo,
} from './node-policy-rules.ts';

// RBAC lets the operator patch every Node, which would let a stolen operator token relabel a controller to attract
// workloads, taint nodes away, or rewrite their pod CIDRs. Every Node write of its code goes through
// operators/update-operator/src/operator/node-writer.ts (the rollout controller's decisions and the FleetLock coordinator's cordon and release), and
// writes only, by JSON merge patch:
//   - labels and annotations under the update prefix, set and removed;
//   - spec.unschedulable (the FleetLock cordon and its release);
//   - the removal of hook annotations: keys an UpdatePolicy names in spec.hooks (e.g. example.com/hook-done), which
//     hook controllers set and the operator clears when a reboot is approved, revoked or completed.
// The hook keys are outside the prefix and listed only in UpdatePolicies, which admission CEL cannot read across
// (a policy with UpdatePolicy params is evaluated once per UpdatePolicy and the results ANDed, so it cannot say "a
// hook of any UpdatePolicy"). The operator is therefore allowed to remove annotations outside the prefix, but never to
// add or change one; see docs/security.md for what that leaves.

function policy(): V1ValidatingAdmissionPolicy {
  return {
    apiVersion: ADMISSION,
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: UPDATE_OPERATOR_NAMES.operatorNodePolicy },
    spec: {
      failurePolicy: 'Fail',
      // A patch reaches admission as an UPDATE. The operator has no right to nodes/status or to create or delete Nodes.
      matchConstraints: {
        resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['nodes'] }],
      },
      matchConditions: [
        { name: 'update-operator', expression: `request.userInfo.username == '${UPDATE_OPERATOR_USERNAME}'` },
      ],
      variables: metadataMapVariables(),
      validations: [
        {
          expression: onlyUpdateKeysChange('variables.oldLabels', 'variables.newLabels'),
          message: `the update operator may change only labels under ${UPDATE_PROTOCOL_PREFIX}`,
          reason: 'Forbidden',
        },
        {
          expression: onlyUpdateKeysChangeOrOthersGo('variables.oldAnnotations', 'variables.newAnnotations'),
          message: `the update operator may change only annotations under ${UPDATE_PROTOCOL_PREFIX}, and remove hook annotations`,
          reason: 'Forbidden',
        },
        {
          expression: frozenFieldsUnchanged(),
          message: `the update operator may change only spec.unschedulable and the ${UPDATE_PROTOCOL_PREFIX} labels and annotations of a Node`,
          reason: 'Forbidden',
        },
      ],
    },
  };
}

/** Keeps the update operator to the update protocol's keys, spec.unschedulable and the removal of hook annotations. */
export function operatorNodePolicy(): [V1ValidatingAdmissionPolicy, V1ValidatingAdmissionPolicyBinding] {
  return [policy(), denyingBinding(UPDATE_OPERATOR_NAMES.operatorNodePolicy)];
}
