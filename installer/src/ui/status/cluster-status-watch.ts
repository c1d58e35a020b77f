// Keeps a ClusterStatus current: the Nodes and the UpdatePolicies from
// watches (@strata/kube's Informer: list once, then every change as the API
// server sends it), the API's /readyz and etcd from probes run again on a
// slow interval, since health has no watch to follow.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type V1Node,
} from '@kubernetes/client-node';
import { z } from 'zod';
import { UPDATE_POLICY, updatePolicySchema } from '@strata/api';
import { describeApiError, Informer } from '@strata/kube';
import { nodeStatus, policyStatus, type ClusterStatus, type ProbedHealth } from './cluster-status.ts';

/** What one round of the health probes found. */
export interface HealthProbes {
  readonly api: ProbedHealth;
  readonly etcd: ProbedHealth;
}

export interface ClusterStatusWatchOptions {
  readonly kubeConfig: KubeConfig;
  readonly cluster: string;
  readonly platform: string;
  readonly apiServerUrl: string;
  /** One round of the health probes; it reports failures in its answer and throws only on a bug. */
  readonly probe: (signal: AbortSignal) => Promise<HealthProbes>;
  readonly probeIntervalMs: number;
}

const NODES_PATH = '/api/v1/nodes';
const POLICIES_PATH = `/apis/${UPDATE_POLICY.group}/${UPDATE_POLICY.version}/${UPDATE_POLICY.plural}`;

/** The custom objects API answers an untyped list; this is the shape the informer needs of it. */
const objectListSchema = z.looseObject({
  metadata: z.looseObject({ resourceVersion: z.string().optional() }).optional(),
  items: z.array(z.looseObject({ metadata: z.looseObject({ name: z.string() }) })),
});

export class ClusterStatusWatch {
  readonly #options: ClusterStatusWatchOptions;
  readonly #listeners = new Set<() => void>();
  readonly #stop = new AbortController();
  readonly #nodes: Informer<V1Node>;
  readonly #policies: Informer<KubernetesObject>;
  #status: ClusterStatus;
  #probing: Promise<void> = Promise.resolve();

  constructor(options: ClusterStatusWatchOptions) {
    this.#options = options;
    this.#status = {
      cluster: options.cluster,
      platform: options.platform,
      apiServerUrl: options.apiServerUrl,
      watchProblems: {},
    };
    const core = options.kubeConfig.makeApiClient(CoreV1Api);
    const custom = options.kubeConfig.makeApiClient(CustomObjectsApi);
    this.#nodes = new Informer<V1Node>({
      kubeConfig: options.kubeConfig,
      path: NODES_PATH,
      list: (selectors) => core.listNode(selectors),
      onChange: () => this.#refresh({ watch: 'nodes' }),
      onStateChange: (state) => {
        if (state.phase === 'synced') this.#refresh({ watch: 'nodes' });
      },
      onError: (error, retryInMs) => {
        if (retryInMs !== undefined) this.#problem('nodes', describeApiError(error));
      },
    });
    this.#policies = new Informer<KubernetesObject>({
      kubeConfig: options.kubeConfig,
      path: POLICIES_PATH,
      list: async (selectors): Promise<KubernetesListObject<KubernetesObject>> => {
        const answer: unknown = await custom.listClusterCustomObject({
          group: UPDATE_POLICY.group,
          version: UPDATE_POLICY.version,
          plural: UPDATE_POLICY.plural,
          ...selectors,
        });
        return objectListSchema.parse(answer);
      },
      onChange: () => this.#refresh({ watch: 'UpdatePolicies' }),
      onStateChange: (state) => {
        if (state.phase === 'synced') this.#refresh({ watch: 'UpdatePolicies' });
      },
      onError: (error, retryInMs) => {
        if (retryInMs !== undefined) this.#problem('UpdatePolicies', describeApiError(error));
      },
    });
  }

  get status(): ClusterStatus {
    return this.#status;
  }

  /** Calls `listener` after every change of the status; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Starts the watches and the probes; resolves once both watches have listed. */
  async start(): Promise<void> {
    this.#probing = this.#probeLoop();
    await Promise.all([this.#nodes.start(), this.#policies.start()]);
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.all([this.#nodes.stop(), this.#policies.stop(), this.#probing]);
  }

  async #probeLoop(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      const health = await this.#options.probe(signal);
      if (signal.aborted) return;
      this.#set({ ...this.#status, api: health.api, etcd: health.etcd });
      try {
        await sleep(this.#options.probeIntervalMs, undefined, { signal });
      } catch (error) {
        if (!signal.aborted) throw error;
      }
    }
  }

  #refresh(changed: { watch: 'nodes' | 'UpdatePolicies' }): void {
    const problems = { ...this.#status.watchProblems };
    delete problems[changed.watch];
    const parsed = this.#policies.list().map((object) => updatePolicySchema.safeParse(object));
    for (const result of parsed)
      if (!result.success) problems['UpdatePolicies'] = `an UpdatePolicy does not parse: ${result.error.message}`;
    this.#set({
      ...this.#status,
      ...(this.#nodes.hasSynced ? { nodes: this.#nodes.list().map(nodeStatus) } : {}),
      ...(this.#policies.hasSynced
        ? { policies: parsed.flatMap((result) => (result.success ? [policyStatus(result.data)] : [])) }
        : {}),
      watchProblems: problems,
    });
  }

  #problem(watch: string, problem: string): void {
    this.#set({ ...this.#status, watchProblems: { ...this.#status.watchProblems, [watch]: problem } });
  }

  #set(status: ClusterStatus): void {
    this.#status = status;
    for (const listener of this.#listeners) listener();
  }
}
