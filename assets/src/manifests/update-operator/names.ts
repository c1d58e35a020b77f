import { FLEETLOCK_PORT } from '../../render/catalog/node-files.ts';
import { STRATA_SYSTEM_NAMESPACE } from '../namespaces.ts';

/** Where the operator and its agents run. */
export const UPDATE_OPERATOR_NAMESPACE = STRATA_SYSTEM_NAMESPACE;

/** Names of the update operator's objects, which its processes and tests refer to. */
export const UPDATE_OPERATOR_NAMES = {
  /** ServiceAccount, Deployment and ClusterRole(Binding) `strata:update-operator` of the operator. */
  operator: 'update-operator',
  /** ServiceAccount, DaemonSet and ClusterRole(Binding) `strata:update-agent` of the node agent. */
  agent: 'update-agent',
  /** The Lease in UPDATE_OPERATOR_NAMESPACE the operator replicas elect their leader with. */
  lease: 'update-operator',
  metricsService: 'update-operator-metrics',
  /** The kubernetes.io/tls Secret with the FleetLock server's certificate and key. */
  fleetLockTlsSecret: 'update-operator-fleetlock-tls',
  /** The ValidatingAdmissionPolicy (and its binding) that keeps each agent to its own Node. */
  agentNodePolicy: 'strata-update-agent-own-node',
  /** The ValidatingAdmissionPolicy (and its binding) that keeps the operator to the update protocol's part of Nodes. */
  operatorNodePolicy: 'strata-update-operator-node-writes',
  /** The UpdatePolicy every cluster starts with. */
  defaultPolicy: 'default',
} as const;

export const UPDATE_OPERATOR_PORTS = {
  /** The operator's /metrics, /healthz and /readyz. */
  metrics: 8080,
  /** The operator's FleetLock server in its pod. */
  fleetLock: 8081,
  /**
   * The host port on the node an operator replica runs on (the controllers) where Zincati on Fedora CoreOS nodes
   * reaches the FleetLock server: the CNI portmap plugin forwards it without rewriting the source address, which is
   * how the server tells a node's own requests from anyone else's.
   */
  fleetLockHostPort: FLEETLOCK_PORT,
} as const;

/** The user name the API server gives the agent's ServiceAccount tokens. */
export const UPDATE_AGENT_USERNAME = `system:serviceaccount:${UPDATE_OPERATOR_NAMESPACE}:${UPDATE_OPERATOR_NAMES.agent}`;

/** The user name the API server gives the operator's ServiceAccount tokens. */
export const UPDATE_OPERATOR_USERNAME = `system:serviceaccount:${UPDATE_OPERATOR_NAMESPACE}:${UPDATE_OPERATOR_NAMES.operator}`;

/** The user-info extra in which a bound ServiceAccount token of a Pod names the Node the Pod is bound to. */
export const NODE_NAME_EXTRA = 'authentication.kubernetes.io/node-name';
