import { V1MicroTime, type CoordinationV1Api, type V1Lease } from '@kubernetes/client-node';
import { Backoff } from '@strata/kube';
import { isConflict, isNotFound, statusCodeOf } from '@strata/kube';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export type LeaseClient = Pick<
  CoordinationV1Api,
  'createNamespacedLease' | 'readNamespacedLease' | 'replaceNamespacedLease'
>;

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
  #inFlight: Promise<unknown> | undefined;
  #running = false;
  /** A failed renewal is retried from 200 ms, doubling, but never less often than a regular renewal. */
  readonly #retry: Backoff;
  #renewals = 0;

  constructor(options: NodeLeaseOptions) {
    this.#options = options;
    this.#retry = new Backoff({
      baseDelayMs: Math.min(FIRST_RETRY_MS, options.renewIntervalMs),
      maxDelayMs: options.renewIntervalMs,
    });
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
    this.#retry.reset();
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
      this.#lease = await client.createNamespacedLease({
        namespace: NODE_LEASE_NAMESPACE,
        body: this.#desired(undefined),
      });
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
      this.#lease = await client.replaceNamespacedLease({
        name: nodeName,
        namespace: NODE_LEASE_NAMESPACE,
        body: this.#desired(current),
      });
      this.#renewals += 1;
    } catch (error) {
      if (isNotFound(error)) {
        this.#lease = undefined;
        return this.ensure();
      }
      if (!isConflict(error)) throw error;
      // Someone else wrote it (a previous run, an administrator): renew on top of theirs.
      const fresh = await client.readNamespacedLease({ name: nodeName, namespace: NODE_LEASE_NAMESPACE });
      this.#lease = await client.replaceNamespacedLease({
        name: nodeName,
        namespace: NODE_LEASE_NAMESPACE,
        body: this.#desired(fresh),
      });
      this.#renewals += 1;
    }
  }

  #renewNow(): void {
    this.#timer = undefined;
    const attempt = this.#renew().then(
      (): number | undefined => {
        this.#retry.reset();
        return undefined;
      },
      (error: unknown) => {
        this.#options.onError(error);
        return this.#retry.next();
      },
    );
    this.#inFlight = attempt;
    void attempt.then((retryInMs) => {
      if (this.#inFlight === attempt) this.#inFlight = undefined;
      if (!this.#running) return;
      this.#schedule(retryInMs ?? this.#options.renewIntervalMs * (1 + RENEW_JITTER * Math.random()));
    });
  }

  #schedule(delayMs: number): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => this.#renewNow(), delayMs);
  }
}
