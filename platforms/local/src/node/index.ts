// The public API of the simulated kubelet: nodes that bootstrap, register,
// heartbeat and run pods, one at a time or as a fleet of a thousand.
export type { NodeContext, PodRuntime, PodRuntimeStatus } from './pod-runtime.ts';
export { PlaceholderPodRuntime, type PlaceholderPodRuntimeOptions } from './placeholder-runtime.ts';
export {
  SimulatedNode,
  type SharedNodeResources,
  type SimulatedNodeOptions,
  type SimulatedNodeState,
} from './simulated-node.ts';
export { NodeFleet, FLEET_LABEL, type FleetStartRequest, type NodeFleetOptions } from './node-fleet.ts';
export { numberedNodeSpecs, parseNodeSpec, type NodeSpec, type ResolvedNodeSpec } from './node-spec.ts';
export { DEFAULT_NODE_TIMING, type NodeTiming } from './timing.ts';
export {
  obtainNodeIdentity,
  kubeletClientPemPath,
  KUBELET_CLIENT_SIGNER,
  type NodeIdentity,
  type NodeIdentityOptions,
} from './node-identity.ts';
export { ApiRequestMetrics, type ApiRequestCounts, type ApiRequestKey } from './api-metrics.ts';
export { KeepAliveTransport, type KeepAliveTransportOptions } from './keep-alive-transport.ts';
export { InformerPodFeed, type PodEvents, type PodFeed } from './pod-feed.ts';
export { FleetError, NodeBootstrapError, NodeSpecError, NodeStartError } from './errors.ts';
