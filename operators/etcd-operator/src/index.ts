// The public entry point of @strata/etcd-operator.
export {
  startEtcdOperator,
  ETCD_OPERATOR_LEASE,
  type RunEtcdOperatorOptions,
  type RunningEtcdOperator,
} from './run-operator.ts';
export {
  EtcdClusterController,
  NotLeadingError,
  type EtcdClusterControllerOptions,
  type ResyncIntervals,
} from './controller/controller.ts';
export { EtcdOperatorMetrics } from './controller/metrics.ts';
export { EtcdClient, hexId, type EtcdMember, type EtcdEndpointStatus } from './etcd/gateway-client.ts';
export { EtcdRequestError, isMemberNotFound } from './etcd/errors.ts';
export { plan, quorumOf, removalKeepsQuorum, type Action } from './plan/plan.ts';
export { CLUSTER_LABEL, memberPod, etcdImage } from './pods/member-pod.ts';
export { awaitMember } from './await-member.ts';
