import { V1MicroTime, type CoordinationV1Api, type V1Lease } from '@kubernetes/client-node';
import { isConflict, isNotFound, statusCodeOf } from './api-errors.ts';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export type LeaseClient = Pick<CoordinationV1Api, 'createNamespacedLease' | 'readNamespacedLease' | 'replaceNamespacedLease'>;

export interface NodeLeaseOptions {
  readonly client: LeaseClient;
  readonly nodeName: string;
  readonly nodeUid: string;
  readonly leaseDurationSeconds: number;
  readonly renewIntervalMs: number;
  readonly onError: (error: unknown) => void;
}

/** The kubelet's renewal jitter (wait.JitterUntil with factor 0.04). */
const RENEW_JITTER = 0.04;
const FIRST_RETRY_MS = 200;

/**
 * The node's heartbeat: a Lease in kube-node-lease that the node lifecycle
 * controller reads instead of Node status. One small PUT per interval; the
 * Lease last returned is reused so a renewal needs no GET unless it conflicts.
 */
export class NodeLease {
  readonly #options: NodeLeaseOptions;
  #lease: V1Lease | undefined;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;
  #running = false;
  #failures = 0;
  #renewals = 0;

  constructor(options: NodeLeaseOptions) {
    this.#options = options;
  }

  get renewals(): number {
    return this.#renewals;
  }

  /** When the lease was last written, as the server has it. */
  get renewTime(): Date | undefined {
    const value: unknown = this.#lease?.spec?.renewTime;
    return value === undefined ? undefined : new Date(value as string | Date);
  }

  /** Renews at once, then every interval; `firstDelayMs` spreads a fleet's renewals over the interval. */
  start(firstDelayMs?: number): void {
    if (this.#running) return;
    this.#running = true;
    this.#failures = 0;
    if (firstDelayMs === undefined) this.#renewNow();
    else this.#schedule(firstDelayMs);
  }

  /** No more renewals; the lease expires after leaseDurationSeconds, as when a machine goes down. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#inFlight;
  }

  /** Creates the lease, or takes over the one a previous run of this node left. */
  async ensure(): Promise<void> {
    const { client, nodeName } = this.#options;
    try {
      this.#lease = await client.createNamespacedLease({ namespace: NODE_LEASE_NAMESPACE, body: this.#desired(undefined) });
      this.#renewals += 1;
    } catch (error) {
      if (statusCodeOf(error) !== 409) throw error;
      this.#lease = await client.readNamespacedLease({ name: nodeName, namespace: NODE_LEASE_NAMESPACE });
      await this.#renew();
    }
  }

  #desired(current: V1Lease | undefined): V1Lease {
    const { nodeName, nodeUid, leaseDurationSeconds } = this.#options;
    return {
      ...current,
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        ...current?.metadata,
        name: nodeName,
        namespace: NODE_LEASE_NAMESPACE,
        // The lease goes when the Node goes.
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUid }],
      },
      spec: {
        ...current?.spec,
        holderIdentity: nodeName,
        leaseDurationSeconds,
        renewTime: new V1MicroTime(),
      },
    };
  }

  async #renew(): Promise<void> {
    const { client, nodeName } = this.#options;
    const current = this.#lease;
    if (current === undefined) return this.ensure();
    try {
      this.#lease = await client.replaceNamespacedLease({ name: nodeName, namespace: NODE_LEASE_NAMESPACE, body: this.#desired(current) });
      this.#renewals += 1;
    } catch (error) {
      if (isNotFound(error)) {
        this.#lease = undefined;
        return this.ensure();
      }
      if (!isConflict(error)) throw error;
      // Someone else wrote it (a previous run, an administrator): renew on top of theirs.
      const fresh = await client.readNamespacedLease({ name: nodeName, namespace: NODE_LEASE_NAMESPACE });
      this.#lease = await client.replaceNamespacedLease({ name: nodeName, namespace: NODE_LEASE_NAMESPACE, body: this.#desired(fresh) });
      this.#renewals += 1;
    }
  }

  #renewNow(): void {
    this.#timer = undefined;
    const attempt = this.#renew().then(
      () => {
        this.#failures = 0;
      },
      (error: unknown) => {
        this.#failures += 1;
        this.#options.onError(error);
      },
    );
    this.#inFlight = attempt;
    void attempt.then(() => {
      if (this.#inFlight === attempt) this.#inFlight = undefined;
      if (!this.#running) return;
      const { renewIntervalMs } = this.#options;
      const delay =
        this.#failures === 0
          ? renewIntervalMs * (1 + RENEW_JITTER * Math.random())
          : Math.min(renewIntervalMs, FIRST_RETRY_MS * 2 ** (this.#failures - 1));
      this.#schedule(delay);
    });
  }

  #schedule(delayMs: number): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => this.#renewNow(), delayMs);
  }
}
