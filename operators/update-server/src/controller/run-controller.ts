// The update server's control side on one replica: the catalog from the
// custom resources (every replica), and the status writer (the Lease holder).
import type { KubeConfig } from '@kubernetes/client-node';
import { campaignForLease } from '@strata/kube';
import { pino, type Logger } from 'pino';
import type { Catalog } from '../policy/model.ts';
import type { UpdateStore } from '../store/store.ts';
import { CatalogController } from './catalog-controller.ts';
import { runStatusWriter } from './status-writer.ts';

export const UPDATE_SERVER_LEASE = 'strata-update-server';
/** Machine counts move without any resource changing; groups' status is recounted this often. */
export const DEFAULT_STATUS_RESYNC_MS = 15_000;

export interface UpdateServerControllerOptions {
  readonly kubeConfig: KubeConfig;
  readonly store: UpdateStore;
  /** Unique per replica, typically the pod name. */
  readonly identity: string;
  /** Where the Lease lives. */
  readonly leaseNamespace: string;
  readonly leaseName?: string;
  readonly signal: AbortSignal;
  readonly logger?: Logger;
  readonly statusResyncMs?: number;
  readonly leaseDurationSeconds?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
}

export interface RunningUpdateServerController {
  readonly controller: CatalogController;
  /** The catalog in force: pass it to startUpdateServer. */
  catalog(): Catalog;
  isLeader(): boolean;
  /** Resolves once the signal aborted, the last term ended and the informers stopped. */
  readonly stopped: Promise<void>;
}

/** Starts the informers and waits for their first lists, then campaigns for the Lease that lets a replica write status. */
export async function startUpdateServerController(
  options: UpdateServerControllerOptions,
): Promise<RunningUpdateServerController> {
  const logger = options.logger ?? pino({ enabled: false });
  const controller = new CatalogController({
    kubeConfig: options.kubeConfig,
    onError: (error) => logger.warn({ err: error }, 'reading the update resources'),
  });
  await controller.start();
  const campaign = campaignForLease({
    kubeConfig: options.kubeConfig,
    namespace: options.leaseNamespace,
    name: options.leaseName ?? UPDATE_SERVER_LEASE,
    identity: options.identity,
    signal: options.signal,
    ...(options.leaseDurationSeconds === undefined ? {} : { leaseDurationSeconds: options.leaseDurationSeconds }),
    ...(options.renewDeadlineMs === undefined ? {} : { renewDeadlineMs: options.renewDeadlineMs }),
    ...(options.retryPeriodMs === undefined ? {} : { retryPeriodMs: options.retryPeriodMs }),
    onError: (error) => logger.warn({ err: error }, 'leader election'),
    onLostLease: () => logger.warn('lost the lease; campaigning again'),
    lead: (leadership, isLeader) => {
      logger.info('leading: writing the update resources’ status');
      return runStatusWriter(
        {
          kubeConfig: options.kubeConfig,
          controller,
          store: options.store,
          identity: options.identity,
          mayWrite: isLeader,
          resyncMs: options.statusResyncMs ?? DEFAULT_STATUS_RESYNC_MS,
          onError: (error, key) => logger.warn({ err: error, key }, 'writing status'),
        },
        leadership,
      );
    },
  });
  const stopped = campaign.stopped.finally(() => controller.stop());
  return { controller, catalog: () => controller.catalog(), isLeader: () => campaign.isLeader(), stopped };
}
