import { CertificatesV1Api, CoordinationV1Api, CoreV1Api, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import { DEFAULT_KUBERNETES_VERSION } from '@strata/assets';
import type { NodeOperatingSystem } from '@strata/api';
import { DelegatedAuth, describeApiError, isNotFound } from '@strata/kube';
import type { ApiRequestMetrics } from './api-metrics.ts';
import { NodeStartError } from './errors.ts';
import { KeepAliveTransport } from './keep-alive-transport.ts';
import { KubeletApiServer } from './kubelet-api.ts';
import { obtainServingCertificate } from './kubelet-serving.ts';
import { clusterCaPems } from './kubelet-certificate.ts';
import { obtainNodeIdentity, type NodeIdentity } from './node-identity.ts';
import { NodeLease } from './node-lease.ts';
import {
  administratorLabels,
  nodeStatus,
  READY,
  registrationNode,
  SHUTTING_DOWN,
  type MachineFacts,
  type Readiness,
} from './node-object.ts';
import { NodePods } from './node-pods.ts';
import { registerNode } from './node-registration.ts';
import { parseNodeSpec, type NodeSpec, type ResolvedNodeSpec } from './node-spec.ts';
import { NodeStatusReporter } from './node-status-reporter.ts';
import { InformerPodFeed, type PodFeed } from './pod-feed.ts';
import type { ContainerLogAnswer, ContainerLogRequest, PodRuntime } from './pod-runtime.ts';
import { PlaceholderPodRuntime } from './placeholder-runtime.ts';
import { resolveTiming, type NodeTiming } from './timing.ts';

export interface SimulatedNodeOptions {
  readonly spec: NodeSpec;
  /** The machine the node runs on: its release and boot ID go into nodeInfo, its reboots take the node down and up. */
  readonly os: NodeOperatingSystem;
  /** A kubeconfig with a bootstrap token, as a new machine gets through Ignition. */
  readonly bootstrapKubeConfig: KubeConfig;
  /** The node's /var/lib/kubelet: its client certificate, and the runtimes' pod state. */
  readonly stateDir: string;
  /** An administrator, for role labels a kubelet may not set itself. Needed only if the spec has such labels. */
  readonly adminKubeConfig?: KubeConfig;
  /** nodeInfo.kubeletVersion; the cluster's version by default. */
  readonly kubeletVersion?: string;
  /** Tried in order for each pod; the first whose `handles` accepts it runs it. Default: a placeholder runtime. */
  readonly runtimes?: readonly PodRuntime[];
  readonly timing?: Partial<NodeTiming>;
  /** Errors of background work (renewals, status writes, pods) that a kubelet would log and retry. */
  readonly onError?: (error: unknown, activity: string) => void;
  /** What a fleet shares between its nodes instead of each node having its own. */
  readonly shared?: SharedNodeResources;
  /**
   * Serve the kubelet API (container logs, /healthz) on the node's IP and this port, 0 for any free one; it goes
   * into the Node's daemonEndpoints. The IP must be an address of this machine. Without it the node serves none.
   */
  readonly kubeletApi?: { readonly port: number };
}

export interface SharedNodeResources {
  /** One pod watch for many nodes; without it the node watches its own pods. */
  readonly podFeed?: PodFeed;
  readonly metrics?: ApiRequestMetrics;
  /** CSR client with the bootstrap token, one connection pool for all nodes. */
  readonly bootstrapCertificates?: CertificatesV1Api;
  /** Admin client for role labels. */
  readonly adminCore?: CoreV1Api;
  /** Start lease renewals and status reports at a random point of their interval, so a fleet's requests do not come in bursts. */
  readonly spreadHeartbeats?: boolean;
}

/** new → starting → up ⇄ (shutting-down → down) → stopped. */
export type SimulatedNodeState = 'new' | 'starting' | 'up' | 'shutting-down' | 'down' | 'stopped';

interface Running {
  readonly identity: NodeIdentity;
  /** The node's own connection pool, and the administrator's if the node made one. */
  readonly transports: readonly KeepAliveTransport[];
  readonly core: CoreV1Api;
  readonly lease: NodeLease;
  readonly reporter: NodeStatusReporter;
  readonly pods: NodePods;
  readonly ownFeed: InformerPodFeed | undefined;
  readonly kubeletApi: KubeletApiServer | undefined;
  readonly detach: (() => void)[];
}

/**
 * A simulated kubelet: it bootstraps a client certificate through a CSR,
 * registers its Node, heartbeats through a Lease, reports Node status only
 * when it changes or every report interval, runs the pods bound to it through
 * its runtimes, and goes down and comes back with its operating system.
 */
export class SimulatedNode {
  readonly name: string;
  readonly spec: ResolvedNodeSpec;
  readonly os: NodeOperatingSystem;
  readonly stateDir: string;
  readonly timing: NodeTiming;
  readonly #options: SimulatedNodeOptions;
  readonly #runtimes: readonly PodRuntime[];
  readonly #kubeletVersion: string;
  #state: SimulatedNodeState = 'new';
  #readiness: Readiness = READY;
  #running: Running | undefined;
  #uid: string | undefined;
  #podCIDR: string | undefined;
  #errors = 0;
  #lastError: { error: unknown; activity: string } | undefined;
  #transitions: Promise<void> = Promise.resolve();
  #starting: Promise<void> | undefined;
  #serving: Promise<void> | undefined;

  constructor(options: SimulatedNodeOptions) {
    this.#options = options;
    this.spec = parseNodeSpec(options.spec);
    this.name = this.spec.name;
    this.os = options.os;
    this.stateDir = options.stateDir;
    this.timing = resolveTiming(options.timing);
    this.#kubeletVersion = options.kubeletVersion ?? DEFAULT_KUBERNETES_VERSION;
    this.#runtimes = options.runtimes ?? [new PlaceholderPodRuntime({ podCIDR: () => this.#podCIDR })];
    const needsAdmin = Object.keys(administratorLabels(this.spec)).length > 0;
    if (needsAdmin && options.adminKubeConfig === undefined && options.shared?.adminCore === undefined) {
      throw new NodeStartError(
        `node ${this.name} has role or other kubernetes.io labels, which only an administrator may set: give adminKubeConfig`,
        { node: this.name },
      );
    }
  }

  get state(): SimulatedNodeState {
    return this.#state;
  }

  /** Up and reporting Ready, as far as this node knows. */
  get ready(): boolean {
    return this.#state === 'up';
  }

  /** The Node object's UID, once registered. */
  get uid(): string | undefined {
    return this.#uid;
  }

  get podCIDR(): string | undefined {
    return this.#podCIDR;
  }

  /** The node's own credentials (system:node:<name>), once bootstrapped. */
  get kubeConfig(): KubeConfig {
    if (this.#running === undefined) throw new NodeStartError(`node ${this.name} has not started`, { node: this.name });
    return this.#running.identity.kubeConfig;
  }

  /** The CSR the node's certificate came from; undefined if it reused one kept in its state directory. */
  get csrName(): string | undefined {
    return this.#running?.identity.csrName;
  }

  /** The port of the node's kubelet API, once started with one. */
  get kubeletPort(): number | undefined {
    return this.#running?.kubeletApi?.port;
  }

  /**
   * Resolves once the kubelet API serves with its certificate (its serving CSR approved and signed), or at once for
   * a node without one; rejects if the certificate could not be had.
   */
  kubeletApiServing(): Promise<void> {
    return this.#serving ?? Promise.resolve();
  }

  get leaseRenewals(): number {
    return this.#running?.lease.renewals ?? 0;
  }

  get statusWrites(): number {
    return this.#running?.reporter.writes ?? 0;
  }

  get runningPods(): number {
    return this.#running?.pods.running ?? 0;
  }

  get errors(): {
    readonly count: number;
    readonly last: { readonly error: unknown; readonly activity: string } | undefined;
  } {
    return { count: this.#errors, last: this.#lastError };
  }

  /** Bootstraps, registers and starts heartbeats and pods; resolves once the Node is registered Ready. */
  async start(): Promise<void> {
    if (this.#state !== 'new')
      throw new NodeStartError(`node ${this.name} was already started`, { node: this.name, state: this.#state });
    if (!this.os.isUp())
      throw new NodeStartError(`node ${this.name} cannot start: its operating system is not up`, { node: this.name });
    this.#state = 'starting';
    const starting = this.#bringUp().then((running) => {
      this.#running = running;
    });
    this.#starting = starting;
    try {
      await starting;
      if (this.#state === 'starting') this.#state = 'up';
    } catch (error) {
      this.#state = 'stopped';
      throw error;
    }
  }

  /** Stops the kubelet: no more heartbeats, its pods stopped; the Node stays and goes NotReady when the lease lapses. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'new') {
      this.#state = 'stopped';
      return;
    }
    this.#state = 'stopped';
    await this.#starting?.catch(() => undefined);
    await this.#transitions;
    const running = this.#running;
    if (running === undefined) return;
    for (const detach of running.detach) detach();
    await running.ownFeed?.stop();
    await Promise.all([running.lease.stop(), running.reporter.stop()]);
    await running.pods.shutdown(this.timing.shutdownGracePeriodSeconds);
    await running.kubeletApi?.close();
    for (const transport of running.transports) transport.close();
  }

  /**
   * Deletes the Node object (its Lease goes with it, by owner reference), as
   * an administrator's `kubectl delete node` would: a kubelet may not.
   */
  async deleteNode(): Promise<void> {
    let admin = this.#options.shared?.adminCore;
    let transport: KeepAliveTransport | undefined;
    if (admin === undefined) {
      if (this.#options.adminKubeConfig === undefined) {
        throw new NodeStartError(`deleting node ${this.name} needs an administrator: give adminKubeConfig`, {
          node: this.name,
        });
      }
      transport = await KeepAliveTransport.create(this.#options.adminKubeConfig, this.#transportOptions());
      admin = transport.api(CoreV1Api);
    }
    try {
      await admin.deleteNode({ name: this.name });
    } catch (error) {
      if (!isNotFound(error)) {
        throw new NodeStartError(
          `node ${this.name} could not be deleted: ${describeApiError(error)}`,
          { node: this.name },
          { cause: error },
        );
      }
    } finally {
      transport?.close();
    }
  }

  #facts(kubeletPort?: number): MachineFacts {
    const port = kubeletPort ?? this.#running?.kubeletApi?.port;
    return {
      release: this.os.release(),
      bootId: this.os.bootId(),
      kubeletVersion: this.#kubeletVersion,
      ...(port === undefined ? {} : { kubeletPort: port }),
    };
  }

  /** The first runtime that knows the pod answers; a pod none of them runs does not exist here. */
  #containerLog = (
    namespace: string,
    podName: string,
    container: string,
    request: ContainerLogRequest,
  ): ContainerLogAnswer => {
    for (const runtime of this.#runtimes) {
      const answer = runtime.containerLog?.(namespace, podName, container, request);
      if (answer !== undefined && answer.kind !== 'unknown-pod') return answer;
    }
    return { kind: 'unknown-pod' };
  };

  #transportOptions() {
    return {
      userAgent: `kubelet/${this.#kubeletVersion} (linux/${this.spec.architecture}) strata-simulated`,
      ...(this.#options.shared?.metrics === undefined ? {} : { metrics: this.#options.shared.metrics }),
    };
  }

  #onError = (error: unknown, activity: string): void => {
    this.#errors += 1;
    this.#lastError = { error, activity };
    this.#options.onError?.(error, `node ${this.name}: ${activity}`);
  };

  async #bringUp(): Promise<Running> {
    const { shared } = this.#options;
    const transports: KeepAliveTransport[] = [];
    let kubeletApi: KubeletApiServer | undefined;
    try {
      let certificates = shared?.bootstrapCertificates;
      if (certificates === undefined) {
        const bootstrapTransport = await KeepAliveTransport.create(
          this.#options.bootstrapKubeConfig,
          this.#transportOptions(),
        );
        transports.push(bootstrapTransport);
        certificates = bootstrapTransport.api(CertificatesV1Api);
      }
      const identity = await obtainNodeIdentity({
        nodeName: this.name,
        bootstrapKubeConfig: this.#options.bootstrapKubeConfig,
        certificates,
        stateDir: this.stateDir,
        timeoutMs: this.timing.bootstrapTimeoutMs,
        ...(shared?.metrics === undefined ? {} : { metrics: shared.metrics }),
      });
      for (const transport of transports.splice(0)) transport.close();

      const transport = await KeepAliveTransport.create(identity.kubeConfig, this.#transportOptions());
      transports.push(transport);
      const core = transport.api(CoreV1Api);
      let adminCore = shared?.adminCore;
      if (adminCore === undefined && this.#options.adminKubeConfig !== undefined) {
        const adminTransport = await KeepAliveTransport.create(this.#options.adminKubeConfig, this.#transportOptions());
        transports.push(adminTransport);
        adminCore = adminTransport.api(CoreV1Api);
      }

      if (this.#options.kubeletApi !== undefined) {
        const auth = new DelegatedAuth(identity.kubeConfig);
        kubeletApi = await KubeletApiServer.listen({
          nodeName: this.name,
          host: this.spec.ip,
          port: this.#options.kubeletApi.port,
          clientCaPems: clusterCaPems(identity.kubeConfig),
          authorize: (user, attributes) => auth.reviewAccess(user, attributes),
          containerLog: this.#containerLog,
          onError: (error, activity) => this.#onError(error, `kubelet API: ${activity}`),
        });
      }
      const desired = registrationNode(this.spec, this.#facts(kubeletApi?.port), READY, new Date());
      const { node, created } = await registerNode(
        { node: core, ...(adminCore === undefined ? {} : { admin: adminCore }) },
        desired,
        administratorLabels(this.spec),
      );
      this.#uid = node.metadata?.uid;
      const servingPort = kubeletApi?.port;
      const reporter = new NodeStatusReporter({
        client: core,
        nodeName: this.name,
        compute: (previous) =>
          nodeStatus(this.spec, this.#facts(servingPort), this.#readiness, new Date(), previous?.conditions ?? []),
        reportIntervalMs: this.timing.statusReportIntervalMs,
        onNode: (written: V1Node) => {
          this.#podCIDR = written.spec?.podCIDR ?? this.#podCIDR;
        },
        onError: (error) => this.#onError(error, 'reporting node status'),
      });
      reporter.registered(node, created ? (desired.status ?? {}) : (node.status ?? {}));
      // A Node found from an earlier run shows that run's boot and OS: report this one's.
      if (!created) await reporter.changed();

      const lease = new NodeLease({
        client: transport.api(CoordinationV1Api),
        nodeName: this.name,
        nodeUid: this.#uid ?? '',
        leaseDurationSeconds: this.timing.leaseDurationSeconds,
        renewIntervalMs: this.timing.leaseRenewIntervalMs,
        onError: (error) => this.#onError(error, 'renewing its lease'),
      });
      await lease.ensure();
      const spread = shared?.spreadHeartbeats === true;
      lease.start(spread ? Math.random() * this.timing.leaseRenewIntervalMs : this.timing.leaseRenewIntervalMs);
      reporter.start(spread ? Math.random() * this.timing.statusReportIntervalMs : this.timing.statusReportIntervalMs);

      const pods = new NodePods({
        context: {
          nodeName: this.name,
          nodeIP: this.spec.ip,
          kubeConfig: identity.kubeConfig,
          stateDir: this.stateDir,
        },
        runtimes: this.#runtimes,
        client: core,
        onError: this.#onError,
      });
      let ownFeed: InformerPodFeed | undefined;
      let feed = shared?.podFeed;
      if (feed === undefined) {
        ownFeed = new InformerPodFeed({
          kubeConfig: identity.kubeConfig,
          core,
          // The Node authorizer lets a node list and watch only the pods bound to it.
          fieldSelector: `spec.nodeName=${this.name}`,
          ...(shared?.metrics === undefined ? {} : { metrics: shared.metrics }),
          onError: (error) => this.#onError(error, 'watching its pods'),
        });
        await ownFeed.start();
        feed = ownFeed;
      }
      pods.boot();
      const detach = [
        feed.subscribe(this.name, pods),
        this.os.onShutdown(() => this.#transition(() => this.#shutDown())),
        this.os.onBoot(() => this.#transition(() => this.#bootUp())),
      ];
      if (kubeletApi !== undefined) {
        const serving = this.#obtainServing(kubeletApi, identity, transport);
        // Reported through onError already; a caller of kubeletApiServing() sees the rejection.
        serving.catch(() => undefined);
        this.#serving = serving;
      }
      return { identity, transports, core, lease, reporter, pods, ownFeed, kubeletApi, detach };
    } catch (error) {
      await kubeletApi?.close();
      for (const transport of transports) transport.close();
      throw error;
    }
  }

  /** After registration, as serverTLSBootstrap: the join approver approves only names and addresses the Node has. */
  async #obtainServing(api: KubeletApiServer, identity: NodeIdentity, transport: KeepAliveTransport): Promise<void> {
    const { shared } = this.#options;
    try {
      api.serve(
        await obtainServingCertificate({
          nodeName: this.name,
          address: this.spec.ip,
          kubeConfig: identity.kubeConfig,
          certificates: transport.api(CertificatesV1Api),
          stateDir: this.stateDir,
          caPems: clusterCaPems(identity.kubeConfig),
          timeoutMs: this.timing.bootstrapTimeoutMs,
          ...(shared?.metrics === undefined ? {} : { metrics: shared.metrics }),
        }),
      );
    } catch (error) {
      this.#onError(error, 'obtaining its kubelet serving certificate');
      throw error;
    }
  }

  /** OS events run one after the other, and not at all once the node is stopped. */
  #transition(work: () => Promise<void>): Promise<void> {
    const run = this.#transitions.then(() => (this.#state === 'stopped' ? undefined : work()));
    this.#transitions = run.catch(() => undefined);
    return run;
  }

  /** Graceful node shutdown: NotReady first, so nothing new is scheduled here, then the lease stops and pods go. */
  async #shutDown(): Promise<void> {
    const running = this.#running;
    if (running === undefined || this.#state !== 'up') return;
    this.#state = 'shutting-down';
    this.#readiness = SHUTTING_DOWN;
    await running.reporter.changed().catch((error: unknown) => this.#onError(error, 'reporting that it shuts down'));
    await running.lease.stop();
    await running.pods.shutdown(this.timing.shutdownGracePeriodSeconds);
    if (this.#state === 'shutting-down') this.#state = 'down';
  }

  /** Back from a reboot: the new boot ID and OS release are reported with Ready, heartbeats resume, pods run again. */
  async #bootUp(): Promise<void> {
    const running = this.#running;
    if (running === undefined || this.#state !== 'down') return;
    this.#readiness = READY;
    await running.reporter.changed().catch((error: unknown) => this.#onError(error, 'reporting that it is back'));
    running.lease.start();
    running.pods.boot();
    this.#state = 'up';
  }
}
