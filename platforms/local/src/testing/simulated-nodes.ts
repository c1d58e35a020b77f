// A large fleet as the API server would hold it, without running the nodes: the Node objects the local platform's
// simulated workers register (node-object.ts), for tests and benchmarks of what reads Nodes (the console's tables).
import { randomUUID } from 'node:crypto';
import { CoreV1Api, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import { StrataError } from '@strata/api';
import { DEFAULT_KUBERNETES_VERSION } from '@strata/assets';
import { DEFAULT_OS_VERSIONS } from '../cluster/local-cluster.ts';
import { settleBounded } from '@strata/host';
import { administratorLabels, READY, registrationNode } from '../node/node-object.ts';
import { numberedNodeSpecs, parseNodeSpec } from '../node/node-spec.ts';
import { osRelease } from '../os/os-release.ts';

export interface SimulatedNodesOptions {
  readonly count: number;
  /** Names are `<prefix>-0001` …, numbered as the local platform numbers its workers. */
  readonly prefix: string;
  /** More labels on every node (a test run's, to find and delete them by). */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * The workers as they stand once registered and labelled: the kubelet's Node (Ready, Flatcar at the local platform's
 * default version, the cluster's kubelet) with the administrator's role labels.
 */
export function simulatedNodeObjects(
  { count, prefix, labels = {} }: SimulatedNodesOptions,
  now: Date = new Date(),
): V1Node[] {
  const release = osRelease('flatcar', DEFAULT_OS_VERSIONS.flatcar, 'stable');
  return numberedNodeSpecs(count, prefix).map((input) => {
    const spec = parseNodeSpec(input);
    const node = registrationNode(
      spec,
      { release, bootId: randomUUID(), kubeletVersion: DEFAULT_KUBERNETES_VERSION },
      READY,
      now,
    );
    return {
      ...node,
      metadata: { ...node.metadata, labels: { ...node.metadata?.labels, ...administratorLabels(spec), ...labels } },
    };
  });
}

/**
 * Creates those Nodes with `concurrency` requests in flight (the kubelet creates its Node with its status, which a
 * create keeps). Fails with the first refusal, after every request has settled.
 */
export async function createSimulatedNodes(
  kubeConfig: KubeConfig,
  options: SimulatedNodesOptions & { readonly concurrency?: number },
): Promise<V1Node[]> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const nodes = simulatedNodeObjects(options);
  const { count, concurrency = 16 } = options;
  const results = await settleBounded(nodes, concurrency, (body) => core.createNode({ body }));
  const failed = results.findIndex((result) => result.status === 'rejected');
  const failure = results[failed];
  if (failure?.status === 'rejected') {
    throw new StrataError(
      `creating ${count} simulated Nodes: ${results.filter((result) => result.status === 'rejected').length} refused`,
      { node: nodes[failed]?.metadata?.name },
      { cause: failure.reason },
    );
  }
  return results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
}
