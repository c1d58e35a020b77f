// One approver replica per controller: they elect a leader on a Lease, and
// only the leader judges CSRs, so two replicas never race on one CSR. A lost
// Lease ends the term; the replica campaigns again until it is stopped.
import { JOIN_APPROVER_NAMES } from '@strata/assets';
import { campaignForLease } from '@strata/kube';
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
  const { logger } = options;
  const campaign = campaignForLease({
    kubeConfig: options.kubeConfig,
    namespace: options.namespace ?? JOIN_APPROVER_NAMES.namespace,
    name: options.leaseName ?? JOIN_APPROVER_NAMES.lease,
    identity: options.identity,
    signal: options.signal,
    ...(options.leaseDurationSeconds === undefined ? {} : { leaseDurationSeconds: options.leaseDurationSeconds }),
    ...(options.renewDeadlineMs === undefined ? {} : { renewDeadlineMs: options.renewDeadlineMs }),
    ...(options.retryPeriodMs === undefined ? {} : { retryPeriodMs: options.retryPeriodMs }),
    lead: (leadership) => {
      logger.info('leading: judging CSRs');
      // A fresh controller per term: nothing cached from an earlier term decides anything.
      return new JoinApprover(options).run(leadership);
    },
    onError: (error) => logger.warn({ err: error }, 'leader election or a term of the approver failed'),
    onLostLease: () => logger.warn('lost the lease; campaigning again'),
  });
  await campaign.stopped;
}
