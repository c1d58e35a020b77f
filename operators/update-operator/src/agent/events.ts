import { randomBytes } from 'node:crypto';
import type { CoreV1Api } from '@kubernetes/client-node';

/** The Event reasons the agent records on its Node (design rule 12). */
export const AGENT_EVENT_REASONS = {
  drainStarted: 'DrainStarted',
  drainFailed: 'DrainFailed',
  rebootStarted: 'RebootStarted',
  rebootCompleted: 'RebootCompleted',
} as const;

export type AgentEventReason = (typeof AGENT_EVENT_REASONS)[keyof typeof AGENT_EVENT_REASONS];

export const AGENT_COMPONENT = 'strata-update-agent';

/** Node events live in the default namespace, where the kubelet puts its own. */
const NODE_EVENT_NAMESPACE = 'default';

/** Records core v1 Events about one Node, as the kubelet's recorder does (involvedObject uid = node name). */
export class NodeEventRecorder {
  readonly #core: CoreV1Api;
  readonly #nodeName: string;

  constructor(core: CoreV1Api, nodeName: string) {
    this.#core = core;
    this.#nodeName = nodeName;
  }

  async record(type: 'Normal' | 'Warning', reason: AgentEventReason, message: string): Promise<void> {
    const now = new Date();
    await this.#core.createNamespacedEvent({
      namespace: NODE_EVENT_NAMESPACE,
      body: {
        metadata: { name: `${this.#nodeName}.${now.getTime().toString(16)}${randomBytes(2).toString('hex')}`, namespace: NODE_EVENT_NAMESPACE },
        involvedObject: { apiVersion: 'v1', kind: 'Node', name: this.#nodeName, uid: this.#nodeName },
        type,
        reason,
        message,
        source: { component: AGENT_COMPONENT, host: this.#nodeName },
        reportingComponent: AGENT_COMPONENT,
        reportingInstance: this.#nodeName,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
    });
  }
}
