import type { V1Pod } from '@kubernetes/client-node';
import { aPod } from '@strata/kube/testing';
import type { NodeSpec } from '../node-spec.ts';
import type { NodeContext } from '../pod-runtime.ts';
import { KubeConfig } from '@kubernetes/client-node';

/** A valid node spec; tests override what they are about. */
export function nodeSpec(overrides: Partial<NodeSpec> = {}): NodeSpec {
  return { name: 'worker-0001', ip: '10.250.0.2', roles: ['worker'], ...overrides };
}

/** A pod as the API server holds it once bound to this package's default node (the shared builder, with this node's defaults). */
export function boundPod(
  overrides: {
    name?: string;
    namespace?: string;
    uid?: string;
    nodeName?: string;
    hostNetwork?: boolean;
    images?: readonly string[];
  } = {},
): V1Pod {
  const name = overrides.name ?? 'web';
  return aPod({
    name,
    namespace: overrides.namespace ?? 'default',
    uid: overrides.uid ?? `uid-${name}`,
    nodeName: overrides.nodeName ?? 'worker-0001',
    controller: undefined,
    images: overrides.images ?? ['nginx:1.27'],
    metadata: { resourceVersion: '100', generation: 1 },
    ...(overrides.hostNetwork === undefined ? {} : { spec: { hostNetwork: overrides.hostNetwork } }),
    phase: 'Pending',
    status: { qosClass: 'BestEffort' },
  });
}

/** A node context for runtimes in unit tests (its kubeconfig points nowhere). */
export function nodeContext(overrides: Partial<NodeContext> = {}): NodeContext {
  return {
    nodeName: 'worker-0001',
    nodeIP: '10.250.0.2',
    kubeConfig: new KubeConfig(),
    stateDir: '/nonexistent',
    ...overrides,
  };
}
