import { setTimeout as sleep } from 'node:timers/promises';
import { V1MicroTime, type CoordinationV1Api, type V1Lease, type V1LeaseSpec } from '@kubernetes/client-node';
import { StrataError } from '@strata/api';
import { statusCodeOf } from './api-errors.ts';

export type LeaseClient = Pick<
  CoordinationV1Api,
  'createNamespacedLease' | 'readNamespacedLease' | 'replaceNamespacedLease'
>;

export interface LeaderElectionOptions {
  readonly client: LeaseClient;
  readonly namespace: string;
  readonly name: string;
  /** Unique per replica, typically the pod name. */
  readonly identity: string;
  /** How long standbys wait, from when they last saw the lease change, before taking it over. */
  readonly leaseDurationSeconds?: number;
  /** How long the leader keeps retrying a failed renewal before it gives leadership up. */
  readonly renewDeadlineMs?: number;
  /** The interval between attempts to acquire or renew. */
  readonly retryPeriodMs?: number;
  /** Called once this replica leads; `signal` aborts when leadership ends. */
  readonly onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  /** Called once leadership this replica held has ended (lost, or given up by stop). */
  readonly onStoppedLeading?: () => void;
  /** Called whenever another (or this) replica is seen to hold the lease. */
  readonly onNewLeader?: (identity: string) => void;
  /** Told of API failures and of onStartedLeading rejecting; the election carries on. */
  readonly onError?: (error: unknown) => void;
}

export class LeaderElectionConfigError extends StrataError {}

/** client-go's wait.JitterUntil factor for the acquire loop, so standbys do not retry in lock step. */
const JITTER_FACTOR = 1.2;

function timeOf(value: Date | string | undefined): number | undefined {
  return value === undefined ? undefined : new Date(value).getTime();
}

/** Whether two lease specs differ in what shows the holder is alive. */
function sameRecord(a: V1LeaseSpec | undefined, b: V1LeaseSpec | undefined): boolean {
  return (
    a?.holderIdentity === b?.holderIdentity &&
    timeOf(a?.renewTime) === timeOf(b?.renewTime) &&
    a?.leaseTransitions === b?.leaseTransitions
  );
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease, after client-go. Expiry
 * is judged by this replica's own clock, from when it last saw the lease's
 * record change, never by comparing renewTime with the local time: the
 * machines' clocks need not agree. Writes carry the resourceVersion read, so
 * of two candidates racing for the lease the API server lets exactly one win.
 */
export class LeaderElector {
  readonly #options: LeaderElectionOptions;
  readonly #leaseDurationSeconds: number;
  readonly #renewDeadlineMs: number;
  readonly #retryPeriodMs: number;
  readonly #stop = new AbortController();
  #lease: V1Lease | undefined;
  #observedAt = 0;
  #reportedLeader: string | undefined;
  #leading = false;
  #running: Promise<void> | undefined;

  constructor(options: LeaderElectionOptions) {
    this.#options = options;
    this.#leaseDurationSeconds = options.leaseDurationSeconds ?? 15;
    this.#renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.#retryPeriodMs = options.retryPeriodMs ?? 2_000;
    const context = {
      leaseDurationSeconds: this.#leaseDurationSeconds,
      renewDeadlineMs: this.#renewDeadlineMs,
      retryPeriodMs: this.#retryPeriodMs,
    };
    if (!Number.isInteger(this.#leaseDurationSeconds) || this.#leaseDurationSeconds < 1) {
      throw new LeaderElectionConfigError('leaseDurationSeconds must be a positive whole number', context);
    }
    if (this.#leaseDurationSeconds * 1000 <= this.#renewDeadlineMs) {
      throw new LeaderElectionConfigError('the lease duration must be longer than the renew deadline', context);
    }
    if (this.#renewDeadlineMs <= JITTER_FACTOR * this.#retryPeriodMs || this.#retryPeriodMs <= 0) {
      throw new LeaderElectionConfigError('the renew deadline must be longer than 1.2 retry periods', context);
    }
    if (options.identity === '') throw new LeaderElectionConfigError('the identity must not be empty', context);
  }

  get isLeader(): boolean {
    return this.#leading;
  }

  /** The holder this replica last saw, if any. */
  get leader(): string | undefined {
    const holder = this.#lease?.spec?.holderIdentity;
    return holder === '' ? undefined : holder;
  }

  /**
   * Campaigns until this replica leads, then renews until leadership is lost
   * or `stop` is called. Resolves then; a replica that lost leadership should
   * exit rather than run again, as work it started may still be in flight.
   */
  run(): Promise<void> {
    this.#running ??= this.#run();
    return this.#running;
  }

  /** Ends the campaign and, if leading, releases the lease so a standby takes over at once. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#running;
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    if (!(await this.#acquire(signal))) return;
    const leadership = new AbortController();
    this.#leading = true;
    this.#startLeading(leadership.signal);
    await this.#renew(signal);
    this.#leading = false;
    leadership.abort();
    if (signal.aborted) await this.#release();
    this.#options.onStoppedLeading?.();
  }

  #startLeading(signal: AbortSignal): void {
    const report = (error: unknown): void => this.#options.onError?.(error);
    try {
      Promise.resolve(this.#options.onStartedLeading(signal)).catch(report);
    } catch (error) {
      report(error);
    }
  }

  async #acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (await this.#tryAcquireOrRenew()) return true;
      await this.#wait(this.#retryPeriodMs * (1 + Math.random() * JITTER_FACTOR), signal);
    }
    return false;
  }

  /** Renews every retry period; gives up when no renewal succeeded within the renew deadline. */
  async #renew(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const deadline = Date.now() + this.#renewDeadlineMs;
      let renewed = false;
      while (!signal.aborted && !renewed && Date.now() < deadline) {
        renewed = await this.#withDeadline(this.#tryAcquireOrRenew(), deadline);
        if (!renewed) await this.#wait(Math.min(this.#retryPeriodMs, deadline - Date.now()), signal);
      }
      if (!renewed) return;
      await this.#wait(this.#retryPeriodMs, signal);
    }
  }

  /** A renewal that answers after the deadline counts as failed: by then a standby may hold the lease. */
  async #withDeadline(attempt: Promise<boolean>, deadline: number): Promise<boolean> {
    const timeout = new AbortController();
    const expired = sleep(Math.max(0, deadline - Date.now()), false, { signal: timeout.signal }).catch(() => false);
    try {
      return await Promise.race([attempt, expired]);
    } finally {
      timeout.abort();
    }
  }

  async #wait(ms: number, signal: AbortSignal): Promise<void> {
    await sleep(Math.max(0, ms), undefined, { signal }).catch(() => undefined);
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    try {
      return await this.#attempt();
    } catch (error) {
      this.#options.onError?.(error);
      return false;
    }
  }

  async #attempt(): Promise<boolean> {
    const { client, namespace, name, identity } = this.#options;
    // The leader skips the read: its own last write is the current lease unless someone else wrote since,
    // and then the write conflicts. A cached lease that shows another holder must never be overwritten blindly.
    if (this.#leading && this.#lease !== undefined && this.#lease.spec?.holderIdentity === identity) {
      try {
        this.#observe(await client.replaceNamespacedLease({ name, namespace, body: this.#desired(this.#lease) }));
        return true;
      } catch (error) {
        if (statusCodeOf(error) !== 409) throw error;
      }
    }

    let current: V1Lease;
    try {
      current = await client.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (statusCodeOf(error) !== 404) throw error;
      try {
        this.#observe(await client.createNamespacedLease({ namespace, body: this.#desired(undefined) }));
        return true;
      } catch (createError) {
        if (statusCodeOf(createError) === 409) return false;
        throw createError;
      }
    }

    this.#observe(current);
    const holder = current.spec?.holderIdentity;
    const durationMs = (current.spec?.leaseDurationSeconds ?? this.#leaseDurationSeconds) * 1000;
    if (holder !== undefined && holder !== '' && holder !== identity && this.#observedAt + durationMs > Date.now()) {
      return false;
    }
    try {
      this.#observe(await client.replaceNamespacedLease({ name, namespace, body: this.#desired(current) }));
      return true;
    } catch (error) {
      // Another candidate wrote the lease after our read: it won this round.
      if (statusCodeOf(error) === 409) return false;
      throw error;
    }
  }

  #desired(current: V1Lease | undefined): V1Lease {
    const { namespace, name, identity } = this.#options;
    const now = new V1MicroTime();
    const spec = current?.spec;
    const keeps = spec?.holderIdentity === identity;
    return {
      ...current,
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { ...current?.metadata, name, namespace },
      spec: {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds: this.#leaseDurationSeconds,
        acquireTime: keeps && spec?.acquireTime !== undefined ? spec.acquireTime : now,
        renewTime: now,
        leaseTransitions: keeps
          ? (spec?.leaseTransitions ?? 0)
          : current === undefined
            ? 0
            : (spec?.leaseTransitions ?? 0) + 1,
      },
    };
  }

  /** Records when this replica saw the lease change: the start of its expiry, by the local clock. */
  #observe(lease: V1Lease): void {
    if (!sameRecord(this.#lease?.spec, lease.spec)) this.#observedAt = Date.now();
    this.#lease = lease;
    const holder = lease.spec?.holderIdentity;
    if (holder !== undefined && holder !== '' && holder !== this.#reportedLeader) {
      this.#reportedLeader = holder;
      this.#options.onNewLeader?.(holder);
    }
  }

  async #release(): Promise<void> {
    const { client, namespace, name } = this.#options;
    const current = this.#lease;
    if (current?.spec?.holderIdentity !== this.#options.identity) return;
    const now = new V1MicroTime();
    try {
      this.#lease = await client.replaceNamespacedLease({
        name,
        namespace,
        // An empty holder lets a standby take the lease on its next attempt instead of waiting out the duration.
        body: {
          ...current,
          spec: { ...current.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now },
        },
      });
    } catch (error) {
      this.#options.onError?.(error);
    }
  }
}
