import type { V1ValidatingAdmissionPolicy, V1ValidatingAdmissionPolicyBinding } from '@kubernetes/client-node';
import { UPDATE_PROTOCOL_PREFIX } from '@strata/api';
import { NODE_NAME_EXTRA, UPDATE_AGENT_USERNAME, UPDATE_OPERATOR_NAMES } from './names.ts';
import {
  ADMISSION,
  denyingBinding,
  frozenFieldsUnchanged,
  metadataMapVariables,
  onlyUpdateKeysChange,
} from './node-policy-rules.ts';

// RBAC lets the agent patch Nodes, but cannot say "only your own, and only the update keys". This policy does, in the
// API server: a stolen agent token can then neither cordon other nodes nor relabel its own to attract workloads.
//
// The agent's Node is the one its Pod is bound to: a ServiceAccount token issued for a Pod with spec.nodeName carries
// that name in the user-info extra NODE_NAME_EXTRA (Kubernetes >= 1.32, ServiceAccountTokenPodNodeInfo, GA). The
// kubelet mounts exactly such tokens. A token without the extra (a legacy Secret token, or one bound to no Pod)
// names no node and is refused.

function policy(): V1ValidatingAdmissionPolicy {
  return {
    apiVersion: ADMISSION,
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: UPDATE_OPERATOR_NAMES.agentNodePolicy },
    spec: {
      failurePolicy: 'Fail',
      // A patch reaches admission as an UPDATE. The agent has no right to nodes/status or to create or delete Nodes.
      matchConstraints: {
        resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['nodes'] }],
      },
      matchConditions: [
        { name: 'update-agent', expression: `request.userInfo.username == '${UPDATE_AGENT_USERNAME}'` },
      ],
      variables: [
        {
          name: 'agentNode',
          expression:
            `has(request.userInfo.extra) && '${NODE_NAME_EXTRA}' in request.userInfo.extra && ` +
            `size(request.userInfo.extra['${NODE_NAME_EXTRA}']) > 0 ? request.userInfo.extra['${NODE_NAME_EXTRA}'][0] : ''`,
        },
        ...metadataMapVariables(),
      ],
      validations: [
        {
          expression: "variables.agentNode != '' && variables.agentNode == object.metadata.name",
          messageExpression:
            `variables.agentNode == '' ? 'the update agent may patch only its own Node, and its token names no Node (use the token the kubelet mounts)' : ` +
            `'the update agent of node ' + variables.agentNode + ' may patch only its own Node, not ' + object.metadata.name`,
          reason: 'Forbidden',
        },
        {
          expression: onlyUpdateKeysChange('variables.oldLabels', 'variables.newLabels'),
          message: `the update agent may change only labels under ${UPDATE_PROTOCOL_PREFIX}`,
          reason: 'Forbidden',
        },
        {
          expression: onlyUpdateKeysChange('variables.oldAnnotations', 'variables.newAnnotations'),
          message: `the update agent may change only annotations under ${UPDATE_PROTOCOL_PREFIX}`,
          reason: 'Forbidden',
        },
        {
          expression: frozenFieldsUnchanged(),
          message: `the update agent may change only spec.unschedulable and the ${UPDATE_PROTOCOL_PREFIX} labels and annotations of its Node`,
          reason: 'Forbidden',
        },
      ],
    },
  };
}

/** Keeps each update agent to its own Node and to the update protocol's keys. */
export function agentNodePolicy(): [V1ValidatingAdmissionPolicy, V1ValidatingAdmissionPolicyBinding] {
  return [policy(), denyingBinding(UPDATE_OPERATOR_NAMES.agentNodePolicy)];
}
