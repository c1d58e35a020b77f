// The EtcdBackup controller: EtcdBackups through an informer, one work queue keyed by backup. A pass takes a backup
// when one is due (at once for a one-shot backup until it succeeds, on the cron schedule otherwise), records it in
// the status with an Event and the metrics, and comes back at the next firing. A failed attempt stores nothing that
// counts, quotes the error in the status, and is tried again after the shared exponential back-off.
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { ETCD_BACKUP, ETCD_CLUSTER, parseEtcdBackup, parseEtcdCluster, type EtcdBackup } from '@strata/api';
import { describeApiError, type EventRecorder, type Informer, WorkQueue } from '@strata/kube';
import type { Logger } from 'pino';
import { clientSecretOf, readClientTls } from '../tls/cluster-tls.ts';
import {
  customResourceInformer,
  operatorEventRecorder,
  patchStatus,
  recordEvent,
  runQueuedPasses,
} from '../custom-resources.ts';
import { EtcdRequestError } from '../etcd/errors.ts';
import { KeyedBackoff } from '../keyed-backoff.ts';
import type { EtcdClientTls } from '../etcd/tls.ts';
import type { BackupMetrics } from './backup-metrics.ts';
import { recordFailure, recordSuccess, type EtcdBackupStatus } from './backup-status.ts';
import { BackupSpecError, openBackupStore, readSecretKeys } from './open-store.ts';
import { runBackup } from './run-backup.ts';
import { dueAt } from './schedule.ts';
import { CorruptSnapshotError } from './snapshot-file.ts';
import { BackupStoreError, type BackupStore } from './store.ts';
import { NoSnapshotSourceError, type SnapshotSource } from './take-snapshot.ts';

export { BackupSpecError };

export interface EtcdBackupControllerOptions {
  readonly kubeConfig: KubeConfig;
  readonly identity: string;
  readonly logger: Logger;
  readonly metrics: BackupMetrics;
  /** Only EtcdBackups in this namespace; all when absent. */
  readonly namespace?: string;
  /** Writes only while this holds (the Lease's fence). */
  readonly mayWrite: () => boolean;
  /**
   * Where `destination.pvc` claims are mounted into the operator: `<pvcRoot>/<namespace>/<claimName>`, then
   * `destination.pvc.path`.
   */
  readonly pvcRoot: string;
  /** A private directory for snapshots before they are stored. */
  readonly scratchDirectory: string;
  /** The first retry after a failed attempt; it doubles up to maxRetryDelayMs. */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
}

/** The condition reason for each kind of failure, so that a person can tell them apart at a glance. */
function failureReason(error: unknown): string {
  if (error instanceof NoSnapshotSourceError) return 'NoHealthyMember';
  if (error instanceof CorruptSnapshotError) return 'SnapshotCorrupt';
  if (error instanceof EtcdRequestError) return 'SnapshotFailed';
  if (error instanceof BackupStoreError) return 'StoreFailed';
  if (error instanceof BackupSpecError) return 'SpecInvalid';
  return 'BackupFailed';
}

export class EtcdBackupController {
  readonly #options: EtcdBackupControllerOptions;
  readonly #core: CoreV1Api;
  readonly #customObjects: CustomObjectsApi;
  readonly #events: EventRecorder;
  readonly #queue = new WorkQueue();
  readonly #backups: Informer<KubernetesObject>;
  readonly #retries: KeyedBackoff;

  constructor(options: EtcdBackupControllerOptions) {
    this.#options = options;
    this.#retries = new KeyedBackoff({
      baseDelayMs: options.retryDelayMs ?? 5000,
      maxDelayMs: options.maxRetryDelayMs ?? 300_000,
    });
    const { kubeConfig, namespace } = options;
    this.#core = kubeConfig.makeApiClient(CoreV1Api);
    this.#customObjects = kubeConfig.makeApiClient(CustomObjectsApi);
    this.#events = operatorEventRecorder(kubeConfig, options.identity);
    this.#backups = customResourceInformer({
      kubeConfig,
      names: ETCD_BACKUP,
      namespace,
      queue: this.#queue,
      logger: options.logger,
    });
  }

  /** Runs until `signal` aborts; nothing is decided before the cache holds a full list. */
  async run(signal: AbortSignal): Promise<void> {
    await runQueuedPasses({
      informer: this.#backups,
      queue: this.#queue,
      signal,
      pass: (key) => this.#pass(key, signal),
      onError: (error, key) => this.#options.logger.error({ err: error, backup: key }, 'a backup pass failed'),
    });
  }

  async #pass(key: string, signal: AbortSignal): Promise<void> {
    const [namespace = '', name = ''] = key.split('/', 2);
    const raw = this.#backups.get(name, namespace);
    if (raw === undefined || raw.metadata?.deletionTimestamp !== undefined) {
      this.#retries.forget(key);
      this.#options.metrics.forget(key);
      return;
    }
    const backup = parseEtcdBackup(raw);
    if (backup.status?.lastSuccess !== undefined) this.#options.metrics.succeeded(key, backup.status.lastSuccess);
    const due = dueAt(backup);
    if (due === undefined) return;
    const waitMs = Math.max(due.getTime(), this.#retries.notBefore(key)) - Date.now();
    if (waitMs > 0) {
      this.#queue.addAfter(key, waitMs);
      return;
    }
    if (!this.#options.mayWrite()) return;
    await this.#attempt(key, backup, signal);
    // The status patch brings the object back through the informer; this covers a patch that changed nothing.
    this.#queue.addAfter(key, 1000);
  }

  async #attempt(key: string, backup: EtcdBackup, signal: AbortSignal): Promise<void> {
    const now = new Date();
    let status: EtcdBackupStatus;
    let store: BackupStore | undefined;
    try {
      const source = await this.#source(backup);
      store = await openBackupStore(this.#core, backup, this.#options.pvcRoot);
      const outcome = await runBackup({
        name: backup.metadata.name,
        source,
        store,
        recorded: backup.status?.backups ?? [],
        ...(backup.spec.retention === undefined ? {} : { retention: backup.spec.retention }),
        scratchDirectory: this.#options.scratchDirectory,
        signal,
      });
      status = recordSuccess(backup.status, outcome.record, outcome.removed, new Date());
      this.#retries.forget(key);
      this.#options.metrics.taken.inc({ backup: key });
      this.#options.metrics.succeeded(key, outcome.record.takenAt);
      await this.#writeStatus(backup, status);
      await this.#event(backup, 'Normal', 'BackupStored', 'Backup', status.history?.at(-1)?.message ?? '');
      for (const removed of outcome.removed) {
        await this.#event(backup, 'Normal', 'BackupRemoved', 'Retention', `removed ${removed} (retention)`);
      }
    } catch (error) {
      const reason = failureReason(error);
      const message = error instanceof Error ? error.message : String(error);
      const retryInMs = this.#retries.failed(key, Date.now() - now.getTime());
      this.#options.metrics.failed.inc({ backup: key });
      this.#options.logger.warn({ err: error, backup: key, retryInMs }, 'a backup failed; trying again');
      status = recordFailure(backup.status, reason, message, new Date());
      await this.#writeStatus(backup, status);
      await this.#event(backup, 'Warning', 'BackupFailed', 'Backup', `${message} (retrying in ${retryInMs} ms)`);
      this.#queue.addAfter(key, retryInMs);
    } finally {
      store?.close();
    }
  }

  async #source(backup: EtcdBackup): Promise<SnapshotSource> {
    const { source } = backup.spec;
    const namespace = backup.metadata.namespace ?? '';
    if (source.endpoints !== undefined) {
      let tls: EtcdClientTls | undefined;
      if (source.endpoints.clientTLSSecret !== undefined) {
        const secret = await readSecretKeys(this.#core, namespace, source.endpoints.clientTLSSecret, [
          'ca.crt',
          'tls.crt',
          'tls.key',
        ]);
        tls = { ca: secret['ca.crt'] ?? '', cert: secret['tls.crt'] ?? '', key: secret['tls.key'] ?? '' };
      }
      return { endpoints: source.endpoints.urls, ...(tls === undefined ? {} : { tls }) };
    }
    const clusterName = source.clusterRef?.name ?? '';
    let raw: unknown;
    try {
      raw = await this.#customObjects.getNamespacedCustomObject({
        group: ETCD_CLUSTER.group,
        version: ETCD_CLUSTER.version,
        plural: ETCD_CLUSTER.plural,
        namespace,
        name: clusterName,
      });
    } catch (error) {
      throw new BackupSpecError(
        `cannot read EtcdCluster ${namespace}/${clusterName}: ${describeApiError(error)}`,
        { namespace, cluster: clusterName },
        { cause: error },
      );
    }
    const cluster = parseEtcdCluster(raw);
    // Every member the cluster reports, learners included: the choice among them is the healthy one with the
    // highest revision (safety rule 11), made by asking each.
    const endpoints = (cluster.status?.members ?? []).flatMap((member) =>
      member.clientURL === undefined ? [] : [member.clientURL],
    );
    if (endpoints.length === 0) {
      throw new BackupSpecError(`EtcdCluster ${namespace}/${clusterName} reports no member with a client URL yet`, {
        namespace,
        cluster: clusterName,
      });
    }
    // A cluster with TLS is asked with the client certificate the operator itself uses for it.
    const clientSecret = clientSecretOf(cluster);
    if (clientSecret === undefined) return { endpoints };
    return { endpoints, tls: await readClientTls(this.#core, namespace, clientSecret) };
  }

  async #writeStatus(backup: EtcdBackup, status: EtcdBackupStatus): Promise<void> {
    if (!this.#options.mayWrite()) return;
    await patchStatus(this.#customObjects, ETCD_BACKUP, backup.metadata.namespace ?? '', backup.metadata.name, status);
  }

  #event(backup: EtcdBackup, type: 'Normal' | 'Warning', reason: string, action: string, note: string): Promise<void> {
    return recordEvent(
      this.#events,
      this.#options.logger,
      { names: ETCD_BACKUP, metadata: backup.metadata },
      { type, reason, action, note },
    );
  }
}
