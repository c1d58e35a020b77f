// One operator replica: metrics and health, and a campaign for the Lease. Only the leader runs the controller; a
// lost Lease stops every write at once (the fence) and the replica campaigns again.
import { CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { Health, LeaderElector, startMetricsServer, type MetricsServer } from '@strata/kube';
import { pino, type Logger } from 'pino';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EtcdBackupController } from './backup/backup-controller.ts';
import { BackupMetrics } from './backup/backup-metrics.ts';
import { EtcdRestoreController } from './restore/restore-controller.ts';
import { EtcdClusterController, type ResyncIntervals } from './controller/controller.ts';
import { EtcdOperatorMetrics } from './controller/metrics.ts';
import { MemberSigner } from './tls/member-signer.ts';

export const ETCD_OPERATOR_LEASE = 'strata-etcd-operator';

export interface RunEtcdOperatorOptions {
  readonly kubeConfig: KubeConfig;
  /** Where the Lease lives. */
  readonly leaseNamespace: string;
  readonly identity: string;
  readonly operatorImage: string;
  /** Only EtcdClusters of this namespace; every namespace when absent. */
  readonly watchNamespace?: string;
  readonly leaseName?: string;
  /** host and port for /metrics, /healthz and /readyz (port 0 picks one). */
  readonly metrics?: { readonly host: string; readonly port: number };
  readonly logger?: Logger;
  readonly signal: AbortSignal;
  readonly leaseDurationSeconds?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  readonly resync?: Partial<ResyncIntervals>;
  /** Where backups are staged and where `destination.pvc` claims are mounted (`<pvcRoot>/<namespace>/<claim>`). */
  readonly backups?: { readonly scratchDirectory: string; readonly pvcRoot: string };
  /** Caps automatic TLS's certificate lifetimes (member and client certificates), in seconds: for tests. */
  readonly certificateValidityCapSeconds?: number;
}

/** The Deployment mounts claims for `destination.pvc` here. */
export const DEFAULT_PVC_ROOT = '/var/lib/etcd-operator/claims';

export interface RunningEtcdOperator {
  readonly metricsPort: number | undefined;
  readonly metrics: EtcdOperatorMetrics;
  isLeader(): boolean;
  readonly stopped: Promise<void>;
}

export async function startEtcdOperator(options: RunEtcdOperatorOptions): Promise<RunningEtcdOperator> {
  const logger = options.logger ?? pino({ enabled: false });
  const metrics = new EtcdOperatorMetrics({ processMetrics: options.metrics !== undefined });
  const backupMetrics = new BackupMetrics(metrics.registry);
  let elector: LeaderElector | undefined;
  const health = new Health({ isLeader: () => elector?.isLeader ?? false });
  let server: MetricsServer | undefined;
  if (options.metrics !== undefined) {
    server = await startMetricsServer({ ...options.metrics, registry: metrics.registry, health });
  }
  health.markReady();
  const stopped = campaign(options, logger, metrics, backupMetrics, (next) => (elector = next)).finally(() =>
    server?.close(),
  );
  return { metricsPort: server?.port, metrics, isLeader: () => elector?.isLeader ?? false, stopped };
}

async function campaign(
  options: RunEtcdOperatorOptions,
  logger: Logger,
  metrics: EtcdOperatorMetrics,
  backupMetrics: BackupMetrics,
  setElector: (elector: LeaderElector) => void,
): Promise<void> {
  const { signal } = options;
  const leases = options.kubeConfig.makeApiClient(CoordinationV1Api);
  while (!signal.aborted) {
    let term: Promise<void> = Promise.resolve();
    const elector: LeaderElector = new LeaderElector({
      client: leases,
      namespace: options.leaseNamespace,
      name: options.leaseName ?? ETCD_OPERATOR_LEASE,
      identity: options.identity,
      ...(options.leaseDurationSeconds === undefined ? {} : { leaseDurationSeconds: options.leaseDurationSeconds }),
      ...(options.renewDeadlineMs === undefined ? {} : { renewDeadlineMs: options.renewDeadlineMs }),
      ...(options.retryPeriodMs === undefined ? {} : { retryPeriodMs: options.retryPeriodMs }),
      onStartedLeading: (leadership) => {
        logger.info('leading: reconciling EtcdClusters');
        term = lead(
          options,
          logger,
          metrics,
          backupMetrics,
          () => elector.isLeader && !leadership.aborted,
          AbortSignal.any([leadership, signal]),
        );
      },
      onError: (error) => logger.warn({ err: error }, 'leader election'),
    });
    setElector(elector);
    const stop = (): void => void elector.stop();
    signal.addEventListener('abort', stop, { once: true });
    await elector.run();
    signal.removeEventListener('abort', stop);
    await term;
    if (!signal.aborted) logger.warn('lost the lease; campaigning again');
  }
}

async function lead(
  options: RunEtcdOperatorOptions,
  logger: Logger,
  metrics: EtcdOperatorMetrics,
  backupMetrics: BackupMetrics,
  mayWrite: () => boolean,
  leadership: AbortSignal,
): Promise<void> {
  metrics.leader.set(1);
  // Backups and restores stage snapshots in one private directory; restores find claims where backups put them.
  const scratchDirectory = options.backups?.scratchDirectory ?? join(tmpdir(), 'strata-etcd-operator-backups');
  const pvcRoot = options.backups?.pvcRoot ?? DEFAULT_PVC_ROOT;
  try {
    while (!leadership.aborted) {
      // A fresh controller per term: nothing cached from an earlier term decides anything.
      const controller = new EtcdClusterController({
        kubeConfig: options.kubeConfig,
        identity: options.identity,
        logger: logger.child({ component: 'controller' }),
        metrics,
        operatorImage: options.operatorImage,
        mayWrite,
        recovery: { scratchDirectory, pvcRoot },
        ...(options.certificateValidityCapSeconds === undefined
          ? {}
          : { certificateValidityCapSeconds: options.certificateValidityCapSeconds }),
        ...(options.watchNamespace === undefined ? {} : { namespace: options.watchNamespace }),
        ...(options.resync === undefined ? {} : { resync: options.resync }),
      });
      const backups = new EtcdBackupController({
        kubeConfig: options.kubeConfig,
        identity: options.identity,
        logger: logger.child({ component: 'backups' }),
        metrics: backupMetrics,
        mayWrite,
        scratchDirectory,
        pvcRoot,
        // Backups to a claim run in a pod of this image that mounts the claim (ADR 0053).
        operatorImage: options.operatorImage,
        ...(options.watchNamespace === undefined ? {} : { namespace: options.watchNamespace }),
      });
      const restores = new EtcdRestoreController({
        kubeConfig: options.kubeConfig,
        identity: options.identity,
        logger: logger.child({ component: 'restores' }),
        mayWrite,
        scratchDirectory,
        pvcRoot,
        // Backups on a claim are verified in a pod of this image that mounts the claim (ADR 0053).
        operatorImage: options.operatorImage,
        ...(options.watchNamespace === undefined ? {} : { namespace: options.watchNamespace }),
      });
      const signer = new MemberSigner({
        kubeConfig: options.kubeConfig,
        identity: options.identity,
        logger: logger.child({ component: 'signer' }),
        mayWrite,
        ...(options.certificateValidityCapSeconds === undefined
          ? {}
          : { validityCapSeconds: options.certificateValidityCapSeconds }),
      });
      // The controllers live and die together: when one fails, the term ends for the others too.
      const term = new AbortController();
      const endTerm = (): void => term.abort();
      leadership.addEventListener('abort', endTerm, { once: true });
      try {
        const results = await Promise.allSettled(
          [
            controller.run(term.signal),
            backups.run(term.signal),
            restores.run(term.signal),
            signer.run(term.signal),
          ].map((run) => run.finally(endTerm)),
        );
        const failure = results.find((result) => result.status === 'rejected');
        if (failure !== undefined) throw failure.reason;
      } catch (error) {
        logger.error({ err: error }, 'the controller failed; starting it again');
        await sleep(2000, undefined, { signal: leadership }).catch(() => undefined);
      } finally {
        leadership.removeEventListener('abort', endTerm);
      }
    }
  } finally {
    metrics.leader.set(0);
  }
}
