// A local cluster with Strata's update operator installed exactly as `strata
// up` installs it (the bootstrap manifests, the operator Deployment's pods as
// local processes, the agent DaemonSet's pods in-process against each node's
// simulated OS), plus what the rollout tests do to it: offer an update, tune
// the policy, find and kill the leader, read the operator's metrics.
import {
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1Node,
  type V1Pod,
} from '@kubernetes/client-node';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ASSET_PATHS,
  CERT,
  OPERATOR_POD_LABELS,
  UPDATE_OPERATOR_NAMES,
  UPDATE_OPERATOR_NAMESPACE,
} from '@strata/assets';
import {
  UPDATE_POLICY,
  UPDATE_PROTOCOL_PREFIX,
  parseUpdatePolicy,
  type UpdatePolicy,
  type UpdatePolicySpecInput,
} from '@strata/api';
import { waitFor } from '@strata/host';
import { localPlatformComponents, type LocalPlatformComponents } from '@strata/installer';
import {
  crashContainer,
  startTestCluster,
  type TestCluster,
  type TestClusterOptions,
} from '@strata/platform-local/testing';
import { ANNOTATIONS, LABELS, TRUE } from '@strata/update-operator';
import { NodeWatch } from './node-watch.ts';

export const DEFAULT_POLICY = UPDATE_OPERATOR_NAMES.defaultPolicy;
/** The version every local node boots (DEFAULT_OS_VERSIONS.flatcar); tests offer newer ones. */
export const INITIAL_VERSION = '4230.2.3';

const mergePatch = () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const operatorSelector = Object.entries(OPERATOR_POD_LABELS)
  .map(([key, value]) => `${key}=${value}`)
  .join(',');

export interface RolloutClusterOptions {
  readonly workers: number;
  /** Simulated OS timings (startTestCluster's fast ones by default: 500 ms reboots). */
  readonly os?: TestClusterOptions['os'];
  /** How long a killed in-process agent waits before its pod restarts it. */
  readonly agentRestartDelayMs?: number;
  readonly progress?: (message: string) => void;
  /** Workers that boot another OS than the config's Flatcar: a simulated Fedora CoreOS node for FleetLock. */
  readonly workerOs?: TestClusterOptions['workerOs'];
  /** `update-conf`: every node's update_engine asks the cluster's update server, as its rendered update.conf says. */
  readonly updateSource?: TestClusterOptions['updateSource'];
}

const annotationsOf = (node: V1Node): Record<string, string> => node.metadata?.annotations ?? {};
const labelsOf = (node: V1Node): Record<string, string> => node.metadata?.labels ?? {};
export const nodeName = (node: V1Node): string => node.metadata?.name ?? '';
export const isReady = (node: V1Node): boolean =>
  node.status?.conditions?.find((condition) => condition.type === 'Ready')?.status === 'True';

/** Done with an update to `version`: running it, nothing of the protocol left, schedulable and Ready. */
export function isDoneOn(node: V1Node, version: string): boolean {
  const annotations = annotationsOf(node);
  return (
    labelsOf(node)[LABELS.version] === version &&
    annotations[ANNOTATIONS.rebootNeeded] !== TRUE &&
    annotations[ANNOTATIONS.rebootOk] === undefined &&
    annotations[ANNOTATIONS.rebootInProgress] !== TRUE &&
    node.spec?.unschedulable !== true &&
    isReady(node)
  );
}

/** A node's update state in one line, for failure messages. */
export function describeNode(node: V1Node): string {
  const protocol = (record: Record<string, string>) =>
    Object.entries(record)
      .filter(([key]) => key.startsWith(UPDATE_PROTOCOL_PREFIX) && key !== ANNOTATIONS.lastCheckedTime)
      .map(([key, value]) => `${key.slice(UPDATE_PROTOCOL_PREFIX.length)}=${value}`);
  return `${nodeName(node)} [${isReady(node) ? 'Ready' : 'NotReady'}${node.spec?.unschedulable === true ? ', cordoned' : ''}; ${[...protocol(labelsOf(node)), ...protocol(annotationsOf(node))].join(' ')}]`;
}

export class RolloutCluster {
  readonly cluster: TestCluster;
  readonly components: LocalPlatformComponents;
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly custom: CustomObjectsApi;
  readonly leases: CoordinationV1Api;
  readonly nodes: NodeWatch;

  private constructor(cluster: TestCluster, components: LocalPlatformComponents, nodes: NodeWatch) {
    this.cluster = cluster;
    this.components = components;
    this.kubeConfig = cluster.adminKubeConfig();
    this.core = this.kubeConfig.makeApiClient(CoreV1Api);
    this.apps = this.kubeConfig.makeApiClient(AppsV1Api);
    this.custom = this.kubeConfig.makeApiClient(CustomObjectsApi);
    this.leases = this.kubeConfig.makeApiClient(CoordinationV1Api);
    this.nodes = nodes;
  }

  /** Starts the cluster and waits until the operator leads and every node's agent has reported its OS. */
  static async start(options: RolloutClusterOptions): Promise<RolloutCluster> {
    const components = await localPlatformComponents(
      options.agentRestartDelayMs === undefined ? {} : { agentRestartDelayMs: options.agentRestartDelayMs },
    );
    const cluster = await startTestCluster({
      workers: options.workers,
      ...(options.os === undefined ? {} : { os: options.os }),
      ...(options.progress === undefined ? {} : { progress: options.progress }),
      ...(options.workerOs === undefined ? {} : { workerOs: options.workerOs }),
      ...(options.updateSource === undefined ? {} : { updateSource: options.updateSource }),
      images: components.images,
      nodeRuntimes: components.nodeRuntimes,
    });
    let nodes: NodeWatch | undefined;
    try {
      nodes = await NodeWatch.start(cluster.adminKubeConfig());
      const rollout = new RolloutCluster(cluster, components, nodes);
      await rollout.waitForUpdateOperator();
      return rollout;
    } catch (error) {
      await nodes?.stop();
      await cluster.destroy();
      throw error;
    }
  }

  /** Every node (the controller too: the default policy selects all). */
  nodeNames(): string[] {
    return this.cluster.nodeNames();
  }

  workerNames(): string[] {
    return this.cluster.topology.workers.map((worker) => worker.name);
  }

  /** Both operator replicas ready, a leader in the Lease, and every node labelled with its OS version by its agent. */
  async waitForUpdateOperator(timeoutMs = 120_000): Promise<void> {
    const names = this.nodeNames();
    await this.nodes.until(
      `the update agents of all ${names.length} nodes to report their OS`,
      (nodes) =>
        names.every((name) =>
          nodes.some((node) => nodeName(node) === name && labelsOf(node)[LABELS.version] !== undefined),
        )
          ? true
          : undefined,
      timeoutMs,
    );
    await this.waitFor(
      'a leading update operator with two ready replicas',
      async () =>
        (await this.operatorPods()).filter(isPodReady).length === 2 && (await this.leaderPod()) !== undefined
          ? true
          : undefined,
      timeoutMs,
    );
  }

  /** Offers `version` to every machine and has the update engines of `nodes` check now. */
  async offerUpdate(version: string, nodes: readonly string[] = this.nodeNames()): Promise<void> {
    this.cluster.updates.offer({ version });
    await Promise.all(nodes.map((name) => this.cluster.operatingSystem(name).updateEngine.attemptUpdate()));
  }

  /** Resolves once every one of `nodes` is done on `version`. */
  async waitForVersion(version: string, nodes: readonly string[], timeoutMs: number): Promise<void> {
    const wanted = new Set(nodes);
    await this.nodes.until(
      `${nodes.length} node(s) to be done on ${version}`,
      (all) =>
        all.filter((node) => wanted.has(nodeName(node)) && isDoneOn(node, version)).length === wanted.size
          ? true
          : undefined,
      timeoutMs,
      (all) =>
        all
          .filter((node) => wanted.has(nodeName(node)) && !isDoneOn(node, version))
          .slice(0, 5)
          .map(describeNode)
          .join('; '),
    );
  }

  async readPolicy(name: string = DEFAULT_POLICY): Promise<UpdatePolicy> {
    return parseUpdatePolicy(
      await this.custom.getClusterCustomObject({
        group: UPDATE_POLICY.group,
        version: UPDATE_POLICY.version,
        plural: UPDATE_POLICY.plural,
        name,
      }),
    );
  }

  /** Merge-patches a policy's spec (null removes a field). */
  async patchPolicy(name: string, spec: Record<string, unknown>): Promise<void> {
    await this.custom.patchClusterCustomObject(
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

  async createPolicy(name: string, spec: UpdatePolicySpecInput): Promise<void> {
    await this.custom.createClusterCustomObject({
      group: UPDATE_POLICY.group,
      version: UPDATE_POLICY.version,
      plural: UPDATE_POLICY.plural,
      body: { apiVersion: UPDATE_POLICY.apiVersion, kind: UPDATE_POLICY.kind, metadata: { name }, spec },
    });
  }

  async deletePolicy(name: string): Promise<void> {
    await this.custom.deleteClusterCustomObject({
      group: UPDATE_POLICY.group,
      version: UPDATE_POLICY.version,
      plural: UPDATE_POLICY.plural,
      name,
    });
  }

  /** Waits for a condition of a policy's status; resolves with the condition. */
  async waitForCondition(
    policy: string,
    type: 'Progressing' | 'Blocked' | 'Degraded',
    matches: (condition: { status: string; reason: string; message: string }) => boolean,
    timeoutMs = 30_000,
  ): Promise<{ status: string; reason: string; message: string }> {
    return this.waitFor(
      `UpdatePolicy ${policy} condition ${type} to match`,
      async () => {
        const condition = (await this.readPolicy(policy)).status?.conditions?.find(
          (candidate) => candidate.type === type,
        );
        return condition !== undefined && matches(condition) ? condition : undefined;
      },
      timeoutMs,
    );
  }

  async patchNode(
    name: string,
    patch: {
      annotations?: Record<string, string | null>;
      labels?: Record<string, string | null>;
      unschedulable?: boolean;
    },
  ): Promise<void> {
    await this.core.patchNode(
      {
        name,
        body: {
          metadata: {
            ...(patch.annotations === undefined ? {} : { annotations: patch.annotations }),
            ...(patch.labels === undefined ? {} : { labels: patch.labels }),
          },
          ...(patch.unschedulable === undefined ? {} : { spec: { unschedulable: patch.unschedulable } }),
        },
      },
      mergePatch(),
    );
  }

  async operatorPods(): Promise<V1Pod[]> {
    const { items } = await this.core.listNamespacedPod({
      namespace: UPDATE_OPERATOR_NAMESPACE,
      labelSelector: operatorSelector,
    });
    return items.filter((pod) => pod.metadata?.deletionTimestamp === undefined);
  }

  /** The replica holding the Lease (its holderIdentity is the pod name), if it still exists. */
  async leaderPod(): Promise<V1Pod | undefined> {
    const lease = await this.leases
      .readNamespacedLease({ name: UPDATE_OPERATOR_NAMES.lease, namespace: UPDATE_OPERATOR_NAMESPACE })
      .catch(() => undefined);
    const holder = lease?.spec?.holderIdentity;
    if (holder === undefined || holder === '') return undefined;
    return (await this.operatorPods()).find((pod) => pod.metadata?.name === holder);
  }

  /**
   * Has a replica on a controller lead: the leader's own node reboots alone and last (ADR 0075), and the tests that
   * roll workers expect every worker to be an ordinary one. The scheduler only prefers controllers, and the two
   * replicas never share a node (FleetLock's host port). So, with every worker cordoned: a standby that is not on a
   * controller is replaced (its replacement can only go there), then the leader is deleted gracefully (it releases the
   * Lease) and the replica on the controller, the only other one, takes over; then the workers are uncordoned and the
   * leader's replacement goes to one of them. Answers whether the leader was moved.
   */
  async leadFromController(timeoutMs = 120_000): Promise<boolean> {
    const controllers = new Set(this.cluster.topology.controllers.map((controller) => controller.name));
    const named = [...controllers].join(', ');
    const onController = (pod: V1Pod): boolean => controllers.has(pod.spec?.nodeName ?? '');
    const deletePod = (pod: V1Pod) =>
      this.core.deleteNamespacedPod({ name: pod.metadata?.name ?? '', namespace: UPDATE_OPERATOR_NAMESPACE });
    const leader = await this.waitFor('a leading update operator', () => this.leaderPod(), timeoutMs);
    if (onController(leader)) return false;
    const workers = this.workerNames();
    await Promise.all(workers.map((worker) => this.patchNode(worker, { unschedulable: true })));
    try {
      const standby = (await this.operatorPods()).find((pod) => pod.metadata?.name !== leader.metadata?.name);
      if (standby !== undefined && !onController(standby)) await deletePod(standby);
      await this.waitFor(
        `a ready standby on a controller (${named})`,
        async () =>
          (await this.operatorPods()).some((pod) => onController(pod) && isPodReady(pod)) ? true : undefined,
        timeoutMs,
      );
      await deletePod(leader);
      await this.waitFor(
        `the replica on a controller (${named}) to lead`,
        async () => {
          const current = await this.leaderPod();
          return current !== undefined && onController(current) ? true : undefined;
        },
        timeoutMs,
      );
    } finally {
      await Promise.all(workers.map((worker) => this.patchNode(worker, { unschedulable: false })));
    }
    await this.waitForUpdateOperator(timeoutMs);
    return true;
  }

  /**
   * Kills the leader's process with SIGKILL (it cannot hand its Lease over),
   * then deletes its pod so that the ReplicaSet replaces it at once rather
   * than after the kubelet's crash-loop back-off (10 s, doubling). Returns
   * the pod's name, or undefined when no replica leads.
   */
  async killLeader(): Promise<string | undefined> {
    const leader = await this.leaderPod();
    if (leader === undefined) return undefined;
    try {
      crashContainer(leader, 'operator');
    } catch {
      // Its process is not running (being replaced, or already gone): there is no leader to kill right now.
      return undefined;
    }
    await this.core.deleteNamespacedPod({
      name: leader.metadata?.name ?? '',
      namespace: UPDATE_OPERATOR_NAMESPACE,
      gracePeriodSeconds: 0,
    });
    return leader.metadata?.name ?? '';
  }

  /**
   * Adds flags to the operator Deployment's container (replacing earlier
   * values of the same flags) and waits until both new replicas run and one
   * of them leads.
   */
  async tuneOperator(flags: readonly string[], timeoutMs = 90_000): Promise<void> {
    const name = UPDATE_OPERATOR_NAMES.operator;
    const deployment = await this.apps.readNamespacedDeployment({ name, namespace: UPDATE_OPERATOR_NAMESPACE });
    const container = deployment.spec?.template.spec?.containers.find((candidate) => candidate.name === 'operator');
    if (container === undefined) throw new Error(`Deployment ${name} has no container named operator`);
    const flagName = (arg: string): string => arg.split('=')[0] ?? arg;
    const replaced = new Set(flags.map(flagName));
    const args = [...(container.args ?? []).filter((arg) => !replaced.has(flagName(arg))), ...flags];
    await this.apps.patchNamespacedDeployment(
      {
        name,
        namespace: UPDATE_OPERATOR_NAMESPACE,
        body: { spec: { template: { spec: { containers: [{ name: 'operator', args }] } } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    const hasFlags = (pod: V1Pod): boolean =>
      flags.every((flag) => pod.spec?.containers[0]?.args?.includes(flag) === true);
    await this.waitFor(
      'the tuned operator replicas to run and lead',
      async () => {
        const pods = await this.operatorPods();
        const leader = await this.leaderPod();
        return pods.length === 2 &&
          pods.every((pod) => hasFlags(pod) && isPodReady(pod)) &&
          leader !== undefined &&
          hasFlags(leader)
          ? true
          : undefined;
      },
      timeoutMs,
    );
  }

  /**
   * What Zincati trusts and checks when it asks FleetLock over HTTPS: the rendered cluster CA (which Fedora CoreOS
   * Ignition anchors in the node's trust store) and the API's DNS name (the host of the rendered base_url).
   */
  async fleetLockTls(): Promise<{ caPem: string; serverName: string }> {
    return {
      caPem: await readFile(join(this.cluster.directory.assetsDir, CERT(ASSET_PATHS.clusterCa)), 'utf8'),
      serverName: this.cluster.topology.apiDnsName,
    };
  }

  /**
   * Every running operator replica's Prometheus metrics, as text, by pod name. On a loaded machine the Lease can move
   * to the standby after the rollout, so the replica that made the decisions is not always the leader at the end.
   */
  async operatorMetrics(): Promise<Map<string, string>> {
    const metrics = new Map<string, string>();
    // Every running replica, Ready or not: a leader that lost its Lease under load reports not Ready, and it holds the
    // measurements of what it decided.
    for (const pod of (await this.operatorPods()).filter((pod) => pod.status?.phase === 'Running')) {
      const ip = pod.status?.podIP;
      if (ip === undefined) continue;
      const answer = await fetch(`http://${ip}:8080/metrics`);
      if (!answer.ok)
        throw new Error(`${pod.metadata?.name ?? 'an operator pod'} answered /metrics with ${answer.status}`);
      metrics.set(pod.metadata?.name ?? ip, await answer.text());
    }
    return metrics;
  }

  /** The reasons of the Events about `name` (a Node or an UpdatePolicy) since `since`, oldest first. */
  async eventReasons(name: string, since: Date): Promise<string[]> {
    const { items } = await this.core.listNamespacedEvent({
      namespace: 'default',
      fieldSelector: `involvedObject.name=${name}`,
    });
    const time = (event: (typeof items)[number]): number =>
      new Date(
        event.eventTime ?? event.lastTimestamp ?? event.firstTimestamp ?? event.metadata.creationTimestamp ?? 0,
      ).getTime();
    return items
      .filter((event) => time(event) >= since.getTime() - 1000)
      .sort((a, b) => time(a) - time(b))
      .map((event) => event.reason ?? '');
  }

  /**
   * Resolves only if `holds` is true now and after every node change for `ms`,
   * seen by a watch that stayed connected the whole time. A change that breaks
   * it, an error of `holds` itself, or an interrupted watch (whose missed
   * states cannot be vouched for) fails.
   */
  async stays(what: string, holds: (nodes: readonly V1Node[]) => boolean, ms: number): Promise<void> {
    const watch = this.nodes;
    const gaps = watch.gaps;
    const interruptions = watch.interruptions;
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        let held: boolean;
        try {
          held = holds(watch.list());
        } catch (error) {
          fail(error);
          return;
        }
        if (!held) fail(new Error(`expected ${what} for ${ms} ms, but it changed`));
      };
      const timer = setTimeout(() => {
        unsubscribe();
        resolve();
      }, ms);
      const unsubscribe = watch.onChange(check);
      function fail(error: unknown): void {
        clearTimeout(timer);
        unsubscribe();
        reject(error instanceof Error ? error : new Error(String(error)));
      }
      check();
    });
    if (watch.gaps !== gaps || watch.interruptions !== interruptions) {
      throw new Error(
        `cannot vouch for ${what} over ${ms} ms: the node watch was interrupted meanwhile (${watch.interruptions - interruptions} errors, ${watch.gaps - gaps} re-lists)`,
      );
    }
  }

  /**
   * Polls `probe` every 250 ms (API reads; node states come from the watch instead). The API may be briefly
   * unreachable (a replica restarting, a busy machine): a failed probe is tried again.
   */
  waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
    return waitFor(what, probe, { timeoutMs, intervalMs: 250, retryErrors: true });
  }

  async destroy(): Promise<void> {
    await this.nodes.stop();
    await this.cluster.destroy();
  }
}

export interface BootCount {
  /** Nodes that did not boot exactly once since counting began, with their count. */
  notOnce(): string[];
  stop(): void;
}

/** Counts the boots of each node's simulated machine from now on. */
export function countBoots(rollout: RolloutCluster, nodes: readonly string[]): BootCount {
  const boots = new Map(nodes.map((name) => [name, 0]));
  const unsubscribe = nodes.map((name) =>
    rollout.cluster.operatingSystem(name).onBoot(() => {
      boots.set(name, (boots.get(name) ?? 0) + 1);
      return Promise.resolve();
    }),
  );
  return {
    notOnce: () => [...boots].filter(([, count]) => count !== 1).map(([name, count]) => `${name}: ${count} boots`),
    stop: () => {
      for (const stop of unsubscribe) stop();
    },
  };
}

function isPodReady(pod: V1Pod): boolean {
  return (
    pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') === true
  );
}
