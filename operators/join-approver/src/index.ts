// The public API of @strata/join-approver.
export {
  decideCsr,
  POOL_LABEL,
  type CsrDecision,
  type DecisionContext,
  type ExistingNode,
} from './decide/csr-decision.ts';
export {
  JoinApprover,
  APPROVED_REASON,
  SERVING_APPROVED_REASON,
  type JoinApproverOptions,
} from './approver/join-approver.ts';
export {
  decideServingCsr,
  KUBELET_SERVING_SIGNER,
  type NodeAddresses,
  type ServingDecision,
} from './decide/serving-decision.ts';
export { runJoinApprover, type RunJoinApproverOptions } from './approver/run-join-approver.ts';
