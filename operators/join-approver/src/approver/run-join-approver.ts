// One approver replica per controller: they elect a leader on a Lease, and
// only the leader judges CSRs, so two replicas never race on one CSR. A lost
// Lease ends the term; the replica campaigns again until it is stopped.
import { CoordinationV1Api } from '@kubernetes/client-node';
import { JOIN_APPROVER_NAMES } from '@strata/assets';
import { LeaderElector } from '@strata/kube';
import { JoinApprover, type JoinApproverOptions } from './join-approver.ts';

export interface RunJoinApproverOptions extends JoinApproverOptions {
  /** Where the Lease lives (kube-system in a cluster). */
  readonly namespace?: string;
  readonly leaseName?: string;
  readonly leaseDurationSeconds?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  /** Aborting stops the replica and hands its Lease over. */
  readonly signal: AbortSignal;
}

/** Runs a replica until `signal` aborts. */
export async function runJoinApprover(options: RunJoinApproverOptions): Promise<void> {
  const { logger, signal } = options;
  const leases = options.kubeConfig.makeApiClient(CoordinationV1Api);
  while (!signal.aborted) {
    let term: Promise<void> = Promise.resolve();
    const elector = new LeaderElector({
      client: leases,
      namespace: options.namespace ?? JOIN_APPROVER_NAMES.namespace,
      name: options.leaseName ?? JOIN_APPROVER_NAMES.lease,
      identity: options.identity,
      ...(options.leaseDurationSeconds === undefined ? {} : { leaseDurationSeconds: options.leaseDurationSeconds }),
      ...(options.renewDeadlineMs === undefined ? {} : { renewDeadlineMs: options.renewDeadlineMs }),
      ...(options.retryPeriodMs === undefined ? {} : { retryPeriodMs: options.retryPeriodMs }),
      onStartedLeading: (leadership) => {
        logger.info('leading: judging CSRs');
        // A fresh controller per term: nothing cached from an earlier term decides anything.
        term = new JoinApprover(options).run(AbortSignal.any([leadership, signal]));
      },
      onError: (error) => logger.warn({ err: error }, 'leader election'),
    });
    const stop = (): void => void elector.stop();
    signal.addEventListener('abort', stop, { once: true });
    await elector.run();
    signal.removeEventListener('abort', stop);
    await term;
    if (!signal.aborted) logger.warn('lost the lease; campaigning again');
  }
}
