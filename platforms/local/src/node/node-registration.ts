import { PatchStrategy, setHeaderOptions, type CoreV1Api, type V1Node } from '@kubernetes/client-node';
import { describeApiError, statusCodeOf } from '@strata/kube';
import { NodeStartError } from './errors.ts';

export interface RegistrationClients {
  /** As the node itself (system:node:<name>). */
  readonly node: CoreV1Api;
  /** As an administrator, for labels NodeRestriction keeps from kubelets; only needed if there are such labels. */
  readonly admin?: CoreV1Api;
}

const mergePatch = () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

const missing = (wanted: Readonly<Record<string, string>>, node: V1Node): Record<string, string> =>
  Object.fromEntries(Object.entries(wanted).filter(([key, value]) => node.metadata?.labels?.[key] !== value));

/**
 * Registers the Node as a kubelet does: create it, or if it exists (the node
 * restarted) adopt it and bring its kubelet-owned labels up to date. Taints are
 * only ever set at creation, as with --register-with-taints. Then an
 * administrator adds the role labels, as kubeadm does after a node joins.
 */
export async function registerNode(
  clients: RegistrationClients,
  desired: V1Node,
  administratorLabels: Readonly<Record<string, string>>,
): Promise<{ node: V1Node; created: boolean }> {
  const name = desired.metadata?.name ?? '';
  let node: V1Node;
  let created = true;
  try {
    node = await clients.node.createNode({ body: desired });
  } catch (error) {
    if (statusCodeOf(error) !== 409) {
      throw new NodeStartError(
        `node ${name} could not register: ${describeApiError(error)}`,
        { node: name },
        { cause: error },
      );
    }
    created = false;
    node = await clients.node.readNode({ name });
    const stale = missing(desired.metadata?.labels ?? {}, node);
    if (Object.keys(stale).length > 0) {
      node = await clients.node.patchNode({ name, body: { metadata: { labels: stale } } }, mergePatch());
    }
  }
  const roles = missing(administratorLabels, node);
  if (Object.keys(roles).length > 0) {
    if (clients.admin === undefined) {
      throw new NodeStartError(`node ${name} needs an administrator to set ${Object.keys(roles).join(', ')}`, {
        node: name,
      });
    }
    node = await clients.admin.patchNode({ name, body: { metadata: { labels: roles } } }, mergePatch());
  }
  return { node, created };
}
