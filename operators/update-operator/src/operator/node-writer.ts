// Every write the operator (and its FleetLock server) makes to a Node: a JSON
// merge patch, conditioned on the resourceVersion the decision saw, made only
// while this replica leads, and recorded as an expectation so that the next
// decision counts it even before the informer shows it.
import { CoreV1Api, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import { describeApiError, statusCodeOf } from '@strata/kube';
import { mergePatch } from '../drain/kube-api.ts';
import { NodeChangedError, NodeWriteError, NotLeaderError } from './errors.ts';
import type { Expectations } from './expectations.ts';
import type { NodePatch } from './node-state.ts';

export interface NodeWriterOptions {
  readonly kubeConfig: KubeConfig;
  readonly expectations: Expectations;
  /** The fence: checked immediately before every write. */
  readonly mayWrite: () => boolean;
}

export class NodeWriter {
  readonly #core: CoreV1Api;
  readonly #expectations: Expectations;
  readonly #mayWrite: () => boolean;

  constructor(options: NodeWriterOptions) {
    this.#core = options.kubeConfig.makeApiClient(CoreV1Api);
    this.#expectations = options.expectations;
    this.#mayWrite = options.mayWrite;
  }

  /** Patches `node`; with `basedOn`, only if it is still at that resourceVersion. Resolves to the node as written. */
  async write(node: string, patch: NodePatch, basedOn?: string): Promise<V1Node> {
    if (!this.#mayWrite()) throw new NotLeaderError(`not writing node ${node}: this replica does not lead`, { node });
    const metadata = {
      ...(basedOn === undefined || basedOn === '' ? {} : { resourceVersion: basedOn }),
      ...(patch.annotations === undefined || Object.keys(patch.annotations).length === 0
        ? {}
        : { annotations: patch.annotations }),
      ...(patch.labels === undefined || Object.keys(patch.labels).length === 0 ? {} : { labels: patch.labels }),
    };
    const body = {
      metadata,
      ...(patch.unschedulable === undefined ? {} : { spec: { unschedulable: patch.unschedulable } }),
    };
    try {
      const written = await this.#core.patchNode({ name: node, body }, mergePatch());
      this.#expectations.record(node, patch, written.metadata?.resourceVersion);
      return written;
    } catch (error) {
      const code = statusCodeOf(error);
      if (code === 409)
        throw new NodeChangedError(
          `node ${node} changed since resourceVersion ${basedOn ?? ''}; deciding again`,
          { node, basedOn },
          { cause: error },
        );
      // Without an answer the write may have landed: count it until the informer shows either way.
      if (code === undefined) this.#expectations.record(node, patch, undefined);
      throw new NodeWriteError(
        `writing node ${node} failed: ${describeApiError(error)}`,
        { node, code },
        { cause: error },
      );
    }
  }
}
