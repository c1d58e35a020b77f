import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CertificatesV1Api, CoreV1Api, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import type { NodeOperatingSystem } from '@strata/api';
import { ApiRequestMetrics, type ApiRequestCounts } from './api-metrics.ts';
import { settleBounded } from '@strata/host';
import { FleetError, NodeSpecError } from './errors.ts';
import { KeepAliveTransport } from './keep-alive-transport.ts';
import { numberedNodeSpecs, parseNodeSpec, type NodeSpec } from './node-spec.ts';
import { KUBELET_PORT } from './node-object.ts';
import { InformerPodFeed } from './pod-feed.ts';
import type { PodRuntime } from './pod-runtime.ts';
import { SimulatedNode } from './simulated-node.ts';
import type { NodeTiming } from './timing.ts';

/** Every node of a fleet carries it, with the fleet's name as value. */
export const FLEET_LABEL = 'strata.dev/fleet';

export interface NodeFleetOptions {
  /** An administrator: one pod watch for the whole fleet, role labels, and the Ready check of waitAllReady. */
  readonly kubeConfig: KubeConfig;
  /**
   * The bootstrap-token kubeconfig a node bootstraps its certificate with: one for every node (one connection pool),
   * or each node's own, as per-machine tokens give them.
   */
  readonly bootstrapKubeConfig: KubeConfig | ((nodeName: string) => KubeConfig);
  /** Each node gets <stateDir>/<node name> as its /var/lib/kubelet. */
  readonly stateDir: string;
  /** Makes each node's machine; the fleet keeps it, see SimulatedNode.os. */
  readonly operatingSystem: (nodeName: string) => NodeOperatingSystem;
  /** Each node's pod runtimes (a runtime's stopAll stops one node's pods, so they are not shared). Default: a placeholder runtime. */
  readonly runtimes?: (nodeName: string) => readonly PodRuntime[];
  /** Names the fleet: the value of the strata.dev/fleet label and the prefix of numbered node names. Default "sim". */
  readonly name?: string;
  readonly kubeletVersion?: string;
  readonly timing?: Partial<NodeTiming>;
  /** Nodes bootstrapping and registering at once. Default 32. */
  readonly registrationConcurrency?: number;
  readonly onError?: (error: unknown, activity: string) => void;
  /**
   * Every node serves the kubelet API on its IP (which must be an address of this machine): on the kubelet's port
   * 10250 for the first node of each address, on a free port for any other node sharing that address (ADR 0063).
   */
  readonly kubeletApi?: boolean;
}

export type FleetStartRequest = { readonly count: number } | { readonly nodes: readonly NodeSpec[] };

const DEFAULT_CONCURRENCY = 32;
const READY_POLL_MS = 1_000;

function isReadyOnServer(node: V1Node): boolean {
  return (
    node.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') === true
  );
}

/**
 * Many simulated nodes in one process, at a cost the API server can carry on
 * a small machine: one pod watch for all of them (a node's own would be one
 * watch each), bounded concurrent registration, heartbeats spread over their
 * interval, and keep-alive connections.
 */
export class NodeFleet {
  readonly name: string;
  /** Every request the fleet's nodes and the fleet itself sent, by verb and resource. */
  readonly metrics = new ApiRequestMetrics();
  readonly #options: NodeFleetOptions;
  readonly #nodes = new Map<string, SimulatedNode>();
  #adminTransport: KeepAliveTransport | undefined;
  #bootstrapTransport: KeepAliveTransport | undefined;
  #adminCore: CoreV1Api | undefined;
  #podFeed: InformerPodFeed | undefined;
  #started = false;

  constructor(options: NodeFleetOptions) {
    this.#options = options;
    this.name = options.name ?? 'sim';
    const concurrency = options.registrationConcurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new NodeSpecError('fleet options', [
        `registrationConcurrency: must be a positive whole number, got ${concurrency}`,
      ]);
    }
  }

  #bootstrapKubeConfigOf(nodeName: string): KubeConfig {
    const { bootstrapKubeConfig } = this.#options;
    return typeof bootstrapKubeConfig === 'function' ? bootstrapKubeConfig(nodeName) : bootstrapKubeConfig;
  }

  /**
   * Starts the fleet's pod watch, then its nodes, `registrationConcurrency`
   * at a time. Resolves when every node has registered; throws FleetError
   * naming the nodes that did not (the others keep running).
   */
  async start(request: FleetStartRequest): Promise<void> {
    if (this.#started) throw new FleetError(`fleet ${this.name} was already started`, new Map());
    this.#started = true;
    const specs = 'count' in request ? numberedNodeSpecs(request.count, this.name) : [...request.nodes];
    const resolved = specs.map((spec) =>
      parseNodeSpec({ ...spec, labels: { ...spec.labels, [FLEET_LABEL]: this.name } }),
    );
    const duplicates = resolved.map((spec) => spec.name).filter((name, index, names) => names.indexOf(name) !== index);
    if (duplicates.length > 0)
      throw new NodeSpecError(`fleet ${this.name}`, [`nodes: ${duplicates.join(', ')} named twice`]);

    const concurrency = this.#options.registrationConcurrency ?? DEFAULT_CONCURRENCY;
    this.#adminTransport = await KeepAliveTransport.create(this.#options.kubeConfig, {
      metrics: this.metrics,
      maxSockets: concurrency,
    });
    const sharedBootstrap =
      typeof this.#options.bootstrapKubeConfig === 'function' ? undefined : this.#options.bootstrapKubeConfig;
    if (sharedBootstrap !== undefined) {
      this.#bootstrapTransport = await KeepAliveTransport.create(sharedBootstrap, {
        metrics: this.metrics,
        maxSockets: concurrency,
      });
    }
    this.#adminCore = this.#adminTransport.api(CoreV1Api);
    this.#podFeed = new InformerPodFeed({
      kubeConfig: this.#options.kubeConfig,
      core: this.#adminCore,
      // Every bound pod; each node picks its own out of the shared cache.
      fieldSelector: 'spec.nodeName!=',
      metrics: this.metrics,
      onError: (error) => this.#options.onError?.(error, `fleet ${this.name}: watching pods`),
    });
    await this.#podFeed.start();

    const shared = {
      podFeed: this.#podFeed,
      metrics: this.metrics,
      // Without a shared token each node opens its own bootstrap connection.
      ...(this.#bootstrapTransport === undefined
        ? {}
        : { bootstrapCertificates: this.#bootstrapTransport.api(CertificatesV1Api) }),
      adminCore: this.#adminCore,
      spreadHeartbeats: true,
    };
    const addressesServed = new Set<string>();
    for (const spec of resolved) {
      const firstOnAddress = !addressesServed.has(spec.ip);
      addressesServed.add(spec.ip);
      this.#nodes.set(
        spec.name,
        new SimulatedNode({
          spec,
          os: this.#options.operatingSystem(spec.name),
          bootstrapKubeConfig: sharedBootstrap ?? this.#bootstrapKubeConfigOf(spec.name),
          stateDir: join(this.#options.stateDir, spec.name),
          shared,
          ...(this.#options.runtimes === undefined ? {} : { runtimes: this.#options.runtimes(spec.name) }),
          ...(this.#options.kubeletVersion === undefined ? {} : { kubeletVersion: this.#options.kubeletVersion }),
          ...(this.#options.timing === undefined ? {} : { timing: this.#options.timing }),
          ...(this.#options.kubeletApi === true ? { kubeletApi: { port: firstOnAddress ? KUBELET_PORT : 0 } } : {}),
          ...(this.#options.onError === undefined ? {} : { onError: this.#options.onError }),
        }),
      );
    }
    const nodes = [...this.#nodes.values()];
    const results = await settleBounded(nodes, concurrency, (node) => node.start());
    const failures = new Map<string, unknown>();
    results.forEach((result, index) => {
      const node = nodes[index];
      if (result.status === 'rejected' && node !== undefined) failures.set(node.name, result.reason);
    });
    if (failures.size > 0)
      throw new FleetError(`${failures.size} of ${nodes.length} nodes of fleet ${this.name} did not start`, failures);
  }

  node(name: string): SimulatedNode | undefined {
    return this.#nodes.get(name);
  }

  nodes(): readonly SimulatedNode[] {
    return [...this.#nodes.values()];
  }

  /** Resolves once every node's kubelet API serves with its certificate (see SimulatedNode.kubeletApiServing). */
  async waitKubeletApisServing(): Promise<void> {
    const results = await Promise.allSettled([...this.#nodes.values()].map((node) => node.kubeletApiServing()));
    const failures = new Map<string, unknown>();
    [...this.#nodes.values()].forEach((node, index) => {
      const result = results[index];
      if (result?.status === 'rejected') failures.set(node.name, result.reason);
    });
    if (failures.size > 0)
      throw new FleetError(
        `${failures.size} nodes of fleet ${this.name} have no kubelet serving certificate`,
        failures,
      );
  }

  /** The machine a node was created with. */
  operatingSystem(name: string): NodeOperatingSystem | undefined {
    return this.#nodes.get(name)?.os;
  }

  requestCounts(): ApiRequestCounts {
    return this.metrics.snapshot();
  }

  /**
   * Resolves when every node is up and the API server shows each Node Ready,
   * or throws FleetError naming the ones that are not.
   */
  async waitAllReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const notReady = new Map<string, unknown>();
      for (const node of this.#nodes.values()) {
        if (!node.ready) notReady.set(node.name, `node is ${node.state}`);
      }
      if (notReady.size === 0 && this.#adminCore !== undefined) {
        const listed = await this.#adminCore.listNode({ labelSelector: `${FLEET_LABEL}=${this.name}` });
        const onServer = new Map(listed.items.map((node) => [node.metadata?.name ?? '', node]));
        for (const node of this.#nodes.values()) {
          const object = onServer.get(node.name);
          if (object === undefined) notReady.set(node.name, 'no Node object');
          else if (!isReadyOnServer(object)) notReady.set(node.name, 'Node is not Ready on the API server');
        }
        if (notReady.size === 0) return;
      }
      if (Date.now() >= deadline) {
        throw new FleetError(
          `${notReady.size} of ${this.#nodes.size} nodes of fleet ${this.name} not Ready after ${timeoutMs} ms`,
          notReady,
        );
      }
      await sleep(READY_POLL_MS);
    }
  }

  /** Stops every node (their Nodes stay) and the fleet's watch and connections. */
  async stop(): Promise<void> {
    await settleBounded([...this.#nodes.values()], 64, (node) => node.stop());
    await this.#podFeed?.stop();
    this.#adminTransport?.close();
    this.#bootstrapTransport?.close();
  }

  /** Deletes every node's Node object (with it, by owner reference, its Lease). */
  async deleteNodes(): Promise<void> {
    const registered = [...this.#nodes.values()].filter((node) => node.uid !== undefined);
    const results = await settleBounded(registered, 32, (node) => node.deleteNode());
    const failures = new Map<string, unknown>();
    results.forEach((result, index) => {
      if (result.status === 'rejected') failures.set(registered[index]?.name ?? String(index), result.reason);
    });
    if (failures.size > 0)
      throw new FleetError(`${failures.size} Nodes of fleet ${this.name} could not be deleted`, failures);
  }
}
