// Test fixtures for the operator's integration tests against a real API
// server: the CRD, Node objects that nobody else runs, a stand-in for the
// agents and kubelets (it plays their part of the protocol by patching the
// Nodes, so that the operator is tested alone), and an invariant
// checker that watches every change of the nodes.
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  loadYaml,
  type KubeConfig,
  type KubernetesObject,
  type V1Node,
} from '@kubernetes/client-node';
import { UPDATE_POLICY, updatePolicyCrd, type UpdatePolicy, type UpdatePolicySpecInput } from '@strata/api';
import { uniqueName, waitFor } from '@strata/harness';
import { Informer } from '@strata/kube';
import { pino } from 'pino';
import { mergePatch } from '../drain/kube-api.ts';
import { ANNOTATIONS, LABELS, TRUE } from '@strata/api';
import { isAtLeast } from './expectations.ts';
import { nodeStateOf, projectNode, protocolFacts } from './node-state.ts';
import { startOperator, type RunningOperator } from './run-operator.ts';

export const RUN_LABEL = 'test.update.strata.dev/run';

/** Installs (or updates) the UpdatePolicy CRD by server-side apply and waits until it is served. */
export async function installCrd(kubeConfig: KubeConfig): Promise<void> {
  const crd = updatePolicyCrd();
  // Loading the object as YAML maps it onto the client's models, which would otherwise drop x-kubernetes-* keys.
  const typed = loadYaml<KubernetesObject>(JSON.stringify(crd));
  await KubernetesObjectApi.makeApiClient(kubeConfig).patch(
    typed,
    undefined,
    undefined,
    'strata-update-operator-test',
    true,
    PatchStrategy.ServerSideApply,
  );
  const extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);
  await waitFor('the UpdatePolicy CRD to be established', async () => {
    const current = await extensions.readCustomResourceDefinition({ name: crd.metadata?.name ?? '' });
    return current.status?.conditions?.some(
      (condition) => condition.type === 'Established' && condition.status === 'True',
    )
      ? true
      : undefined;
  });
}

export async function createPolicy(
  kubeConfig: KubeConfig,
  run: string,
  name: string,
  spec: UpdatePolicySpecInput,
): Promise<void> {
  await kubeConfig.makeApiClient(CustomObjectsApi).createClusterCustomObject({
    group: UPDATE_POLICY.group,
    version: UPDATE_POLICY.version,
    plural: UPDATE_POLICY.plural,
    body: {
      apiVersion: UPDATE_POLICY.apiVersion,
      kind: UPDATE_POLICY.kind,
      metadata: { name, labels: { [RUN_LABEL]: run } },
      spec,
    },
  });
}

export async function deletePolicy(kubeConfig: KubeConfig, name: string): Promise<void> {
  await kubeConfig.makeApiClient(CustomObjectsApi).deleteClusterCustomObject({
    group: UPDATE_POLICY.group,
    version: UPDATE_POLICY.version,
    plural: UPDATE_POLICY.plural,
    name,
  });
}

export async function readPolicy(kubeConfig: KubeConfig, name: string): Promise<UpdatePolicy> {
  return (await kubeConfig.makeApiClient(CustomObjectsApi).getClusterCustomObject({
    group: UPDATE_POLICY.group,
    version: UPDATE_POLICY.version,
    plural: UPDATE_POLICY.plural,
    name,
  })) as UpdatePolicy;
}

export async function patchPolicySpec(
  kubeConfig: KubeConfig,
  name: string,
  spec: UpdatePolicySpecInput,
): Promise<void> {
  await kubeConfig.makeApiClient(CustomObjectsApi).patchClusterCustomObject(
    {
      group: UPDATE_POLICY.group,
      version: UPDATE_POLICY.version,
      plural: UPDATE_POLICY.plural,
      name,
      body: { spec },
    },
    mergePatch(),
  );
}

const readyCondition = (ready: boolean) => {
  const now = new Date();
  return {
    type: 'Ready',
    status: ready ? 'True' : 'False',
    reason: ready ? 'KubeletReady' : 'KubeletNotReady',
    message: ready ? 'ready' : 'rebooting',
    lastHeartbeatTime: now,
    lastTransitionTime: now,
  };
};

export interface TestNodeOptions {
  readonly labels?: Record<string, string>;
  readonly machineId?: string;
  /** nodeInfo.osImage; default a Flatcar release. */
  readonly osImage?: string;
  /** status.addresses' InternalIP; default none. */
  readonly internalIp?: string;
}

/** What the kubelet reports as nodeInfo.osImage on each OS. */
export const OS_IMAGES = {
  flatcar: 'Flatcar Container Linux by Kinvolk 4230.2.3 (Oklo)',
  fedoraCoreOs: 'Fedora CoreOS 42.20250901.3.0',
} as const;

/** A Node object (no kubelet behind it) with a Ready condition. */
export async function createNode(
  kubeConfig: KubeConfig,
  run: string,
  name: string,
  options: TestNodeOptions = {},
): Promise<void> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await core.createNode({ body: { metadata: { name, labels: { [RUN_LABEL]: run, ...options.labels } } } });
  await core.patchNodeStatus(
    {
      name,
      body: {
        status: {
          conditions: [readyCondition(true)],
          ...(options.internalIp === undefined
            ? {}
            : { addresses: [{ type: 'InternalIP', address: options.internalIp }] }),
          nodeInfo: {
            machineID: options.machineId ?? '0123456789abcdef0123456789abcdef',
            systemUUID: name,
            bootID: 'boot-1',
            kernelVersion: '6.6.95-flatcar',
            osImage: options.osImage ?? OS_IMAGES.flatcar,
            containerRuntimeVersion: 'containerd://1.7.27',
            kubeletVersion: 'v1.36.3',
            kubeProxyVersion: 'v1.36.3',
            operatingSystem: 'linux',
            architecture: 'amd64',
          },
        },
      },
    },
    mergePatch(),
  );
}

export async function deleteNodes(kubeConfig: KubeConfig, run: string): Promise<void> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await core.deleteCollectionNode({ labelSelector: `${RUN_LABEL}=${run}` });
}

/** What update_engine's agent reports once an update is staged. */
export async function markRebootNeeded(kubeConfig: KubeConfig, name: string): Promise<void> {
  await kubeConfig.makeApiClient(CoreV1Api).patchNode(
    {
      name,
      body: {
        metadata: { annotations: { [ANNOTATIONS.rebootNeeded]: TRUE }, labels: { [LABELS.rebootNeeded]: TRUE } },
      },
    },
    mergePatch(),
  );
}

/** What the kubelet reports of a node going down or coming back; the resourceVersion the write left. */
export async function setReady(kubeConfig: KubeConfig, name: string, ready: boolean): Promise<string | undefined> {
  const node = await kubeConfig
    .makeApiClient(CoreV1Api)
    .patchNodeStatus({ name, body: { status: { conditions: [readyCondition(ready)] } } }, mergePatch());
  return node.metadata?.resourceVersion;
}

/**
 * Plays the agents and kubelets of the selected nodes: a node given reboot-ok
 * starts (reboot-in-progress, cordon), goes NotReady, and after `rebootMs`
 * comes back Ready and uncordoned with reboot-needed false, one step per
 * change, the first conditioned on the resourceVersion it saw. Driven by a
 * watch of the nodes (as an agent is), so that it scales to thousands of
 * nodes: each node takes one step at a time, a failed step is tried again
 * after `retryMs`, and the end of a reboot is a timer.
 */
export class FakeAgents {
  readonly #kubeConfig: KubeConfig;
  readonly #core: CoreV1Api;
  readonly #rebootMs: number;
  readonly #retryMs: number;
  readonly #informer: Informer<V1Node>;
  readonly #downSince = new Map<string, number>();
  /** Nodes with a step running, and whether they changed meanwhile (worth another look once it ends). */
  readonly #stepping = new Map<string, boolean>();
  /** The version each node's last step wrote: no next step is taken on a cache that does not show it yet. */
  readonly #written = new Map<string, string>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #steps = new Set<Promise<void>>();
  /** What failed (a list or watch, or a step), for a benchmark to report; each failed step is tried again. */
  readonly errors: unknown[] = [];
  #running = false;

  constructor(kubeConfig: KubeConfig, selector: string, rebootMs: number, options: { readonly retryMs?: number } = {}) {
    this.#kubeConfig = kubeConfig;
    this.#core = kubeConfig.makeApiClient(CoreV1Api);
    this.#rebootMs = rebootMs;
    this.#retryMs = options.retryMs ?? 100;
    this.#informer = new Informer<V1Node>({
      kubeConfig,
      path: '/api/v1/nodes',
      labelSelector: selector,
      list: (selectors) => this.#core.listNode(selectors),
      project: projectNode,
      onChange: (change, node) => {
        if (change !== 'delete') this.#consider(node.metadata?.name ?? '');
      },
      onError: (error) => this.errors.push(error),
    });
  }

  /** Starts watching; resolves once every selected node was seen. */
  async start(): Promise<void> {
    this.#running = true;
    await this.#informer.start();
  }

  async stop(): Promise<void> {
    this.#running = false;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await this.#informer.stop();
    await Promise.all(this.#steps);
  }

  #later(name: string, delayMs: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#consider(name);
    }, delayMs);
    this.#timers.add(timer);
  }

  #consider(name: string): void {
    if (!this.#running) return;
    if (this.#stepping.has(name)) {
      this.#stepping.set(name, true);
      return;
    }
    const node = this.#informer.get(name);
    if (node === undefined) return;
    const written = this.#written.get(name);
    // The watch delivers this process's own write later: the change it brings is the one to step on.
    if (written !== undefined && !isAtLeast(node.metadata?.resourceVersion ?? '', written)) return;
    this.#stepping.set(name, false);
    const step = this.#step(node)
      .then((version) => {
        if (version !== undefined) this.#written.set(name, version);
      })
      .catch((error: unknown) => {
        this.errors.push(error);
        this.#later(name, this.#retryMs);
      })
      .finally(() => {
        const changed = this.#stepping.get(name) === true;
        this.#stepping.delete(name);
        this.#steps.delete(step);
        if (changed) this.#consider(name);
      });
    this.#steps.add(step);
  }

  /** One step of the protocol; the resourceVersion its last write left, if it wrote. */
  async #step(node: V1Node): Promise<string | undefined> {
    const state = nodeStateOf(node);
    const facts = protocolFacts(state);
    const resourceVersion = state.resourceVersion;
    if (facts.rebootOk && facts.rebootNeeded && !facts.inProgress) {
      const cordon = !state.unschedulable;
      const started = await this.#core.patchNode(
        {
          name: state.name,
          body: {
            metadata: {
              resourceVersion,
              annotations: {
                [ANNOTATIONS.rebootInProgress]: TRUE,
                ...(cordon ? { [ANNOTATIONS.agentMadeUnschedulable]: TRUE } : {}),
              },
            },
            ...(cordon ? { spec: { unschedulable: true } } : {}),
          },
        },
        mergePatch(),
      );
      return started.metadata?.resourceVersion;
    }
    if (facts.inProgress && state.ready) {
      const down = await setReady(this.#kubeConfig, state.name, false);
      this.#downSince.set(state.name, Date.now());
      this.#later(state.name, this.#rebootMs);
      return down;
    }
    if (facts.inProgress && !state.ready) {
      // Down since this process took it down; one it never saw up (a restarted test) counts from now.
      const downSince = this.#downSince.get(state.name) ?? Date.now();
      this.#downSince.set(state.name, downSince);
      const left = downSince + this.#rebootMs - Date.now();
      if (left > 0) {
        this.#later(state.name, left);
        return undefined;
      }
      this.#downSince.delete(state.name);
      await setReady(this.#kubeConfig, state.name, true);
      const uncordon = state.annotations[ANNOTATIONS.agentMadeUnschedulable] === TRUE;
      const reset = await this.#core.patchNode(
        {
          name: state.name,
          body: {
            metadata: {
              annotations: {
                [ANNOTATIONS.rebootNeeded]: 'false',
                [ANNOTATIONS.rebootInProgress]: null,
                [ANNOTATIONS.agentMadeUnschedulable]: null,
              },
              labels: { [LABELS.rebootNeeded]: null },
            },
            ...(uncordon ? { spec: { unschedulable: false } } : {}),
          },
        },
        mergePatch(),
      );
      return reset.metadata?.resourceVersion;
    }
    return undefined;
  }
}

/**
 * Watches the nodes and records the most that ever held a slot (a selected node holds a slot of maxUnavailable while it is NotReady, cordoned by anyone, or carries reboot-ok, reboot-in-progress, the before-reboot label or fleetlock-holder) and the most that were
 * down or cordoned at once.
 */
export class InvariantChecker {
  readonly #informer: Informer<V1Node>;
  maxSlots = 0;
  maxDisrupted = 0;
  readonly violations: string[] = [];
  readonly #budget: number;

  constructor(kubeConfig: KubeConfig, selector: string, budget: number) {
    const core = kubeConfig.makeApiClient(CoreV1Api);
    this.#budget = budget;
    this.#informer = new Informer<V1Node>({
      kubeConfig,
      path: '/api/v1/nodes',
      list: (selectors) => core.listNode(selectors),
      labelSelector: selector,
      onChange: () => this.#check(),
      // A watch that broke may have missed a moment over budget: the run cannot vouch for it, so it counts against it.
      onError: (error) =>
        this.violations.push(`the node watch failed, so states may have been missed: ${String(error)}`),
    });
  }

  async start(): Promise<void> {
    await this.#informer.start();
  }

  async stop(): Promise<void> {
    await this.#informer.stop();
  }

  nodes(): V1Node[] {
    return [...this.#informer.list()];
  }

  #check(): void {
    const states = this.#informer.list().map(nodeStateOf);
    const slots = states.filter((node) => {
      const facts = protocolFacts(node);
      return (
        !node.ready ||
        node.unschedulable ||
        facts.rebootOk ||
        facts.inProgress ||
        facts.beforeReboot ||
        facts.fleetLockHolder !== undefined
      );
    });
    const disrupted = states.filter((node) => !node.ready || node.unschedulable).length;
    this.maxSlots = Math.max(this.maxSlots, slots.length);
    this.maxDisrupted = Math.max(this.maxDisrupted, disrupted);
    if (slots.length > this.#budget)
      this.violations.push(`${slots.length} nodes held slots at once: ${slots.map((node) => node.name).join(', ')}`);
  }
}

export interface Replica {
  readonly name: string;
  readonly running: RunningOperator;
  readonly stop: AbortController;
}

/** One test's world: its own namespace (for the Lease), nodes and policies carrying its run label, and its operator replicas. */
export class OperatorTestRun {
  readonly id = uniqueName('run');
  readonly namespace = uniqueName('uo');
  readonly selector = `${RUN_LABEL}=${this.id}`;
  readonly replicas: Replica[] = [];
  readonly #kubeConfig: KubeConfig;

  constructor(kubeConfig: KubeConfig) {
    this.#kubeConfig = kubeConfig;
  }

  async setUp(): Promise<void> {
    await this.#kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: this.namespace } } });
  }

  /** `nodeName`: the Node the replica is to believe it runs on. */
  async startReplica(name = uniqueName('replica'), nodeName?: string): Promise<Replica> {
    const stop = new AbortController();
    const running = await startOperator({
      kubeConfig: this.#kubeConfig,
      namespace: this.namespace,
      identity: name,
      ...(nodeName === undefined ? {} : { nodeName }),
      metricsAddress: '127.0.0.1:0',
      fleetLockAddress: '127.0.0.1:0',
      signal: stop.signal,
      policyLabelSelector: this.selector,
      nodeLabelSelector: this.selector,
      leaseDurationSeconds: 3,
      renewDeadlineMs: 2000,
      retryPeriodMs: 500,
      fleetLockDrainWaitMs: 5000,
      logger: pino({ level: process.env['UPDATE_OPERATOR_TEST_LOG'] ?? 'silent' }).child({ replica: name }),
    });
    const replica = { name, running, stop };
    this.replicas.push(replica);
    return replica;
  }

  leader(): Replica | undefined {
    return this.replicas.find((replica) => !replica.stop.signal.aborted && replica.running.isLeader());
  }

  async waitForLeader(): Promise<Replica> {
    return waitFor('a replica to lead', () => this.leader(), 20_000);
  }

  async stopReplica(replica: Replica): Promise<void> {
    replica.stop.abort();
    await replica.running.stopped;
  }

  async tearDown(): Promise<void> {
    await Promise.all(this.replicas.map((replica) => this.stopReplica(replica)));
    await deleteNodes(this.#kubeConfig, this.id);
    await this.#kubeConfig.makeApiClient(CoreV1Api).deleteNamespace({ name: this.namespace });
  }
}
