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
  JoinApproverError,
  APPROVED_REASON,
  type JoinApproverOptions,
} from './approver/join-approver.ts';
export { runJoinApprover, type RunJoinApproverOptions } from './approver/run-join-approver.ts';
