import type { V1Pod } from '@kubernetes/client-node';
import type { NodeSpec } from '../node-spec.ts';
import type { NodeContext } from '../pod-runtime.ts';
import { KubeConfig } from '@kubernetes/client-node';

/** A valid node spec; tests override what they are about. */
export function nodeSpec(overrides: Partial<NodeSpec> = {}): NodeSpec {
  return { name: 'worker-0001', ip: '10.250.0.2', roles: ['worker'], ...overrides };
}

/** A pod as the API server holds it once bound to a node; tests override what they are about. */
export function boundPod(overrides: { name?: string; namespace?: string; uid?: string; nodeName?: string; hostNetwork?: boolean; images?: readonly string[] } = {}): V1Pod {
  const name = overrides.name ?? 'web';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: overrides.namespace ?? 'default',
      uid: overrides.uid ?? `uid-${name}`,
      resourceVersion: '100',
      generation: 1,
    },
    spec: {
      nodeName: overrides.nodeName ?? 'worker-0001',
      ...(overrides.hostNetwork === undefined ? {} : { hostNetwork: overrides.hostNetwork }),
      containers: (overrides.images ?? ['nginx:1.27']).map((image, index) => ({ name: `c${index}`, image })),
    },
    status: { phase: 'Pending', qosClass: 'BestEffort' },
  };
}

/** A node context for runtimes in unit tests (its kubeconfig points nowhere). */
export function nodeContext(overrides: Partial<NodeContext> = {}): NodeContext {
  return { nodeName: 'worker-0001', nodeIP: '10.250.0.2', kubeConfig: new KubeConfig(), stateDir: '/nonexistent', ...overrides };
}
