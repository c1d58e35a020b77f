import type { CoreV1Api, V1Node } from '@kubernetes/client-node';
import { CordonError } from './errors.ts';
import { describeApiError, statusCodeOf } from '@strata/kube';
import { mergePatch } from './kube-api.ts';

export interface CordonOptions {
  /** Annotations to set (a string) or remove (null) in the same patch, so that both change together or not at all. */
  readonly annotations?: Readonly<Record<string, string | null>>;
  /** Apply only if the node is still at this resourceVersion (409 otherwise), for a decision made on what it was. */
  readonly resourceVersion?: string;
}

/** Thrown when `resourceVersion` was given and the node changed since. */
export class NodeChangedError extends CordonError {}

async function setUnschedulable(
  core: CoreV1Api,
  nodeName: string,
  unschedulable: boolean,
  options: CordonOptions,
): Promise<V1Node> {
  const metadata = {
    ...(options.annotations === undefined ? {} : { annotations: options.annotations }),
    ...(options.resourceVersion === undefined ? {} : { resourceVersion: options.resourceVersion }),
  };
  // A merge patch of `false` rather than null: kubectl uncordon leaves the field unset, and the API reads both the same.
  const body = { ...(Object.keys(metadata).length > 0 ? { metadata } : {}), spec: { unschedulable } };
  try {
    return await core.patchNode({ name: nodeName, body }, mergePatch());
  } catch (error) {
    const verb = unschedulable ? 'cordoning' : 'uncordoning';
    if (statusCodeOf(error) === 409) {
      throw new NodeChangedError(
        `${verb} node ${nodeName}: it changed since resourceVersion ${options.resourceVersion ?? ''}`,
        { node: nodeName },
        { cause: error },
      );
    }
    throw new CordonError(
      `${verb} node ${nodeName} failed: ${describeApiError(error)}`,
      { node: nodeName },
      { cause: error },
    );
  }
}

/** Marks the node unschedulable (kubectl cordon), with a JSON merge patch. */
export function cordonNode(core: CoreV1Api, nodeName: string, options: CordonOptions = {}): Promise<V1Node> {
  return setUnschedulable(core, nodeName, true, options);
}

/** Marks the node schedulable again (kubectl uncordon), with a JSON merge patch. */
export function uncordonNode(core: CoreV1Api, nodeName: string, options: CordonOptions = {}): Promise<V1Node> {
  return setUnschedulable(core, nodeName, false, options);
}
