import { STRATA_SYSTEM_NAMESPACE } from '../namespaces.ts';

export const ETCD_OPERATOR_NAMESPACE = STRATA_SYSTEM_NAMESPACE;

/** Names of the etcd operator's objects, which its process and tests refer to. */
export const ETCD_OPERATOR_NAMES = {
  /** ServiceAccount, Deployment and ClusterRole(Binding) `strata:etcd-operator`. */
  operator: 'etcd-operator',
  /** The Lease in ETCD_OPERATOR_NAMESPACE the replicas elect their leader with. */
  lease: 'strata-etcd-operator',
  /** The ValidatingAdmissionPolicy (and its Warn binding) that warns of an EtcdCluster with an even size. */
  evenSizePolicy: 'strata-etcd-cluster-even-size',
} as const;

export const ETCD_OPERATOR_METRICS_PORT = 8080;
