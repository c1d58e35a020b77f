// A replica's whole life under a Lease: campaign, lead one term, and after a
// lost Lease wait for the term's work to wind down and campaign again, until
// the replica is stopped. Every Strata controller that leads needs exactly
// this loop around LeaderElector.
import { CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { LeaderElector, type LeaderElectionOptions } from './leader-election.ts';

export interface LeaseCampaignOptions extends Pick<
  LeaderElectionOptions,
  'namespace' | 'name' | 'identity' | 'leaseDurationSeconds' | 'renewDeadlineMs' | 'retryPeriodMs' | 'onNewLeader'
> {
  readonly kubeConfig: KubeConfig;
  /** Stops the campaign for good: a term in progress ends, and no new one starts. */
  readonly signal: AbortSignal;
  /**
   * One term's work. `leadership` aborts when the term ends (lost Lease or
   * stop); `isLeader` answers false from the moment the Lease is lost, so a
   * write in flight can check it last. The next campaign waits for it.
   */
  readonly lead: (leadership: AbortSignal, isLeader: () => boolean) => Promise<void>;
  /** Told of API failures of the election, and of the term's work failing; the campaign carries on. */
  readonly onError: (error: unknown) => void;
  /** Told when a term ended and the replica campaigns again (not on stop). */
  readonly onLostLease?: () => void;
}

export interface LeaseCampaign {
  isLeader(): boolean;
  /** Resolves once `signal` aborted and the last term's work has ended. */
  readonly stopped: Promise<void>;
}

export function campaignForLease(options: LeaseCampaignOptions): LeaseCampaign {
  let elector: LeaderElector | undefined;
  const stopped = run(options, (next) => (elector = next));
  return { isLeader: () => elector?.isLeader ?? false, stopped };
}

async function run(options: LeaseCampaignOptions, setElector: (elector: LeaderElector) => void): Promise<void> {
  const { signal } = options;
  const client = options.kubeConfig.makeApiClient(CoordinationV1Api);
  while (!signal.aborted) {
    let term: Promise<void> = Promise.resolve();
    const elector: LeaderElector = new LeaderElector({
      client,
      namespace: options.namespace,
      name: options.name,
      identity: options.identity,
      ...(options.leaseDurationSeconds === undefined ? {} : { leaseDurationSeconds: options.leaseDurationSeconds }),
      ...(options.renewDeadlineMs === undefined ? {} : { renewDeadlineMs: options.renewDeadlineMs }),
      ...(options.retryPeriodMs === undefined ? {} : { retryPeriodMs: options.retryPeriodMs }),
      ...(options.onNewLeader === undefined ? {} : { onNewLeader: options.onNewLeader }),
      onStartedLeading: (leadership) => {
        const termSignal = AbortSignal.any([leadership, signal]);
        term = options.lead(termSignal, () => elector.isLeader && !termSignal.aborted).catch(options.onError);
      },
      onError: options.onError,
    });
    setElector(elector);
    const stop = (): void => void elector.stop();
    signal.addEventListener('abort', stop, { once: true });
    await elector.run();
    signal.removeEventListener('abort', stop);
    await term;
    if (!signal.aborted) options.onLostLease?.();
  }
}
