// The EtcdBackup controller: EtcdBackups through an informer, one work queue keyed by backup. A pass takes a backup
// when one is due (at once for a one-shot backup until it succeeds, on the cron schedule otherwise), records it in
// the status with an Event and the metrics, and comes back at the next firing. A failed attempt stores nothing that
// counts, quotes the error in the status, and is tried again after the shared exponential back-off.
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesObject,
  type V1Pod,
} from '@kubernetes/client-node';
import {
  ETCD_BACKUP,
  ETCD_CLUSTER,
  etcdBackupSchema,
  parseEtcdBackup,
  parseEtcdCluster,
  type EtcdBackup,
} from '@strata/api';
import {
  describeApiError,
  type EventRecorder,
  Informer,
  isAlreadyExists,
  isNotFound,
  kubernetesApiError,
  WorkQueue,
} from '@strata/kube';
import type { Logger } from 'pino';
import { clientSecretOf, ClusterTlsError, readClientTls } from '../tls/cluster-tls.ts';
import {
  customResourceInformer,
  objectKey,
  operatorEventRecorder,
  patchStatus,
  recordEvent,
  runQueuedPasses,
} from '../custom-resources.ts';
import { KeyedBackoff } from '../keyed-backoff.ts';
import type { EtcdClientTls } from '../etcd/tls.ts';
import type { BackupMetrics } from './backup-metrics.ts';
import { BACKUP_POD_LABEL, backupPod, backupPodFinished, backupPodOutcome, BackupPodError } from './backup-pod.ts';
import { recordFailure, recordSuccess, type BackupRecord, type EtcdBackupStatus } from './backup-status.ts';
import { failureReason } from './failure-reason.ts';
import {
  backupRetention,
  siblingsToDelete,
  UPGRADE_SNAPSHOTS_KEPT,
  type BackupRetention,
} from './upgrade-snapshot-retention.ts';
import { BackupSpecError, openBackupStore } from './open-store.ts';
import { runBackup } from './run-backup.ts';
import { dueAt } from './schedule.ts';
import type { BackupStore } from './store.ts';

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
  /**
   * The operator's own image: with it, a `destination.pvc` backup runs in a one-shot pod that mounts the claim
   * (ADR 0053); without it, the claim must be mounted into the operator under `pvcRoot`.
   */
  readonly operatorImage?: string;
  /** How long a backup pod may run before it is deleted and the attempt counts as failed; 15 minutes by default. */
  readonly backupPodTimeoutMs?: number;
  /** The first retry after a failed attempt; it doubles up to maxRetryDelayMs. */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
}

/** A cluster reached through a client certificate: `secret` is the Secret the backup reads. */
interface ResolvedSource {
  readonly endpoints: readonly string[];
  readonly clientTLSSecret?: string | undefined;
}

export class EtcdBackupController {
  readonly #options: EtcdBackupControllerOptions;
  readonly #core: CoreV1Api;
  readonly #customObjects: CustomObjectsApi;
  readonly #events: EventRecorder;
  readonly #queue = new WorkQueue();
  readonly #backups: Informer<KubernetesObject>;
  /** The backup pods (ADR 0053), each labelled with its EtcdBackup's UID. */
  readonly #pods: Informer<V1Pod>;
  readonly #retries: KeyedBackoff;
  /** The history time each backup's last recorded pod result wrote, until the informer's cache shows it. */
  readonly #written = new Map<string, string>();

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
    this.#pods = new Informer<V1Pod>({
      kubeConfig,
      path: namespace === undefined ? '/api/v1/pods' : `/api/v1/namespaces/${namespace}/pods`,
      labelSelector: BACKUP_POD_LABEL,
      list: (selectors) =>
        namespace === undefined
          ? this.#core.listPodForAllNamespaces(selectors)
          : this.#core.listNamespacedPod({ namespace, ...selectors }),
      onChange: (_change, pod) => {
        const owner = pod.metadata?.ownerReferences?.find((reference) => reference.kind === ETCD_BACKUP.kind);
        if (owner !== undefined) this.#queue.add(objectKey(pod.metadata?.namespace ?? '', owner.name));
      },
      onError: (error, retryInMs) => options.logger.warn({ err: error, retryInMs }, 'watching backup pods failed'),
    });
  }

  /** Runs until `signal` aborts; nothing is decided before the cache holds a full list. */
  async run(signal: AbortSignal): Promise<void> {
    const stopped = new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    // The pods' cache is full before any pass decides whether an attempt is under way.
    await Promise.race([this.#pods.start(), stopped]);
    try {
      await this.#runBackups(signal);
    } finally {
      await this.#pods.stop();
    }
  }

  async #runBackups(signal: AbortSignal): Promise<void> {
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
    const written = this.#written.get(key);
    if (written !== undefined) {
      // A pod's result was recorded; until the cache shows that status, this backup would look due again.
      if (!(backup.status?.history ?? []).some((entry) => entry.time === written)) {
        this.#queue.addAfter(key, 500);
        return;
      }
      this.#written.delete(key);
    }
    if (backup.status?.lastSuccess !== undefined) this.#options.metrics.succeeded(key, backup.status.lastSuccess);
    const image = backup.spec.destination.pvc === undefined ? undefined : this.#options.operatorImage;
    // A pod that finished is recorded (or, recorded already, deleted) whenever it is seen, due or not.
    if (image !== undefined && this.#backupPods(backup).some(backupPodFinished)) {
      if (this.#options.mayWrite()) await this.#podAttempt(key, backup, image);
      return;
    }
    const due = dueAt(backup);
    if (due === undefined) return;
    const waitMs = Math.max(due.getTime(), this.#retries.notBefore(key)) - Date.now();
    if (waitMs > 0) {
      this.#queue.addAfter(key, waitMs);
      return;
    }
    if (!this.#options.mayWrite()) return;
    if (image !== undefined) {
      await this.#podAttempt(key, backup, image);
      return;
    }
    await this.#attempt(key, backup, signal);
    // The status patch brings the object back through the informer; this covers a patch that changed nothing.
    this.#queue.addAfter(key, 1000);
  }

  async #attempt(key: string, backup: EtcdBackup, signal: AbortSignal): Promise<void> {
    const started = Date.now();
    let store: BackupStore | undefined;
    try {
      const source = await this.#source(backup);
      store = await openBackupStore(this.#core, backup, this.#options.pvcRoot);
      const retention = this.#retention(backup);
      const outcome = await runBackup({
        name: backup.metadata.name,
        source: {
          endpoints: source.endpoints,
          ...(source.clientTLSSecret === undefined
            ? {}
            : { tls: await this.#clientTls(backup, source.clientTLSSecret) }),
        },
        store,
        recorded: retention.recorded,
        ...(retention.retention === undefined ? {} : { retention: retention.retention }),
        scratchDirectory: this.#options.scratchDirectory,
        signal,
      });
      await this.#succeeded(key, backup, outcome.record, outcome.removed, new Date());
      await this.#deleteSiblings(backup, siblingsToDelete(retention, outcome.removed));
    } catch (error) {
      await this.#failed(key, backup, error, Date.now() - started, new Date());
    } finally {
      store?.close();
    }
  }

  /**
   * One step of a backup to a claim through its pod (ADR 0053): a finished pod's result is recorded and the pod
   * deleted; a running one is waited for (its changes queue this backup) until the timeout; without one, a pod is
   * created. A pod that finished while no replica led (or before this one's term) is recorded the same way.
   */
  async #podAttempt(key: string, backup: EtcdBackup, operatorImage: string): Promise<void> {
    const namespace = backup.metadata.namespace ?? '';
    const pods = this.#backupPods(backup);
    const finished = pods.filter(backupPodFinished);
    const last = finished.at(-1);
    if (last !== undefined) {
      const now = new Date();
      const startedAt = Date.parse(String(last.metadata?.creationTimestamp ?? now.toISOString()));
      let recorded = false;
      try {
        const outcome = backupPodOutcome(last);
        // A result this backup already lists (recorded before a crash, say) is not recorded twice.
        if (!(backup.status?.backups ?? []).some((record) => record.name === outcome.record.name)) {
          await this.#succeeded(key, backup, outcome.record, outcome.removed, now);
          recorded = true;
        }
        await this.#deleteSiblings(backup, siblingsToDelete(this.#retention(backup), outcome.removed));
      } catch (error) {
        if (!(error instanceof BackupPodError)) throw error;
        await this.#failed(key, backup, error, now.getTime() - startedAt, now);
        recorded = true;
      }
      if (recorded) this.#written.set(key, now.toISOString());
      for (const pod of finished) await this.#deletePod(namespace, pod.metadata?.name ?? '');
      return;
    }
    const running = pods[0];
    if (running !== undefined) {
      const timeoutMs = this.#options.backupPodTimeoutMs ?? 15 * 60_000;
      const age = Date.now() - Date.parse(String(running.metadata?.creationTimestamp ?? new Date().toISOString()));
      if (age < timeoutMs) {
        this.#queue.addAfter(key, timeoutMs - age);
        return;
      }
      const now = new Date();
      await this.#deletePod(namespace, running.metadata?.name ?? '');
      await this.#failed(
        key,
        backup,
        new BackupPodError(
          'BackupPodTimedOut',
          `backup pod ${running.metadata?.name ?? ''} ran for more than ${Math.round(timeoutMs / 1000)} s and was deleted`,
          { namespace, pod: running.metadata?.name },
        ),
        age,
        now,
      );
      this.#written.set(key, now.toISOString());
      return;
    }
    const started = Date.now();
    let pod: V1Pod;
    try {
      const source = await this.#source(backup);
      // The Secret is checked here, so that a missing one is this attempt's failure and not a pod stuck pending.
      if (source.clientTLSSecret !== undefined) await this.#clientTls(backup, source.clientTLSSecret);
      const { recorded, retention } = this.#retention(backup);
      pod = backupPod({ backup, operatorImage, ...source, attemptAt: new Date(), recorded, retention });
    } catch (error) {
      const now = new Date();
      await this.#failed(key, backup, error, Date.now() - started, now);
      this.#written.set(key, now.toISOString());
      return;
    }
    try {
      await this.#core.createNamespacedPod({ namespace, body: pod });
    } catch (error) {
      // Created by this replica in an earlier pass whose pod the cache does not show yet: the same attempt.
      if (isAlreadyExists(error)) return;
      throw kubernetesApiError({ verb: 'create', resource: 'pods', namespace, name: pod.metadata?.name ?? '' }, error);
    }
    this.#options.logger.info({ backup: key, pod: pod.metadata?.name }, 'started a backup pod');
  }

  /** What this backup's next run applies retention to: its own records, and an upgrade's siblings' (ADR 0053). */
  #retention(backup: EtcdBackup): BackupRetention {
    const namespace = backup.metadata.namespace ?? '';
    const siblings = this.#backups.list(namespace).flatMap((raw) => {
      const parsed = etcdBackupSchema.safeParse(raw);
      return parsed.success ? [parsed.data] : [];
    });
    return backupRetention(backup, siblings);
  }

  /**
   * Deletes the earlier pre-upgrade EtcdBackups whose every snapshot retention removed; only ones the operator made
   * (labelled, and of this cluster: backupRetention chose them), each at the UID the cache holds.
   */
  async #deleteSiblings(backup: EtcdBackup, names: readonly string[]): Promise<void> {
    if (!this.#options.mayWrite()) return;
    const namespace = backup.metadata.namespace ?? '';
    for (const name of names) {
      const uid = this.#backups.get(name, namespace)?.metadata?.uid;
      try {
        await this.#customObjects.deleteNamespacedCustomObject({
          group: ETCD_BACKUP.group,
          version: ETCD_BACKUP.version,
          plural: ETCD_BACKUP.plural,
          namespace,
          name,
          ...(uid === undefined ? {} : { body: { preconditions: { uid } } }),
        });
      } catch (error) {
        if (isNotFound(error)) continue;
        throw kubernetesApiError({ verb: 'delete', resource: ETCD_BACKUP.plural, namespace, name }, error);
      }
      await this.#event(
        backup,
        'Normal',
        'UpgradeSnapshotRemoved',
        'Retention',
        `removed EtcdBackup ${name}: its snapshots are older than the newest ${UPGRADE_SNAPSHOTS_KEPT} pre-upgrade snapshots`,
      );
    }
  }

  /** This backup's pods that are not being deleted, oldest first (their names end with the attempt's time). */
  #backupPods(backup: EtcdBackup): V1Pod[] {
    const uid = backup.metadata.uid ?? '';
    return this.#pods
      .list(backup.metadata.namespace ?? '')
      .filter((pod) => pod.metadata?.labels?.[BACKUP_POD_LABEL] === uid && pod.metadata.deletionTimestamp === undefined)
      .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  }

  async #deletePod(namespace: string, name: string): Promise<void> {
    if (!this.#options.mayWrite()) return;
    try {
      await this.#core.deleteNamespacedPod({ namespace, name });
    } catch (error) {
      if (!isNotFound(error)) throw kubernetesApiError({ verb: 'delete', resource: 'pods', namespace, name }, error);
    }
  }

  async #succeeded(
    key: string,
    backup: EtcdBackup,
    record: BackupRecord,
    removed: readonly string[],
    now: Date,
  ): Promise<void> {
    const status = recordSuccess(backup.status, record, removed, now);
    this.#retries.forget(key);
    this.#options.metrics.taken.inc({ backup: key });
    this.#options.metrics.succeeded(key, record.takenAt);
    await this.#writeStatus(backup, status);
    await this.#event(backup, 'Normal', 'BackupStored', 'Backup', status.history?.at(-1)?.message ?? '');
    for (const name of removed) {
      await this.#event(backup, 'Normal', 'BackupRemoved', 'Retention', `removed ${name} (retention)`);
    }
  }

  async #failed(key: string, backup: EtcdBackup, error: unknown, tookMs: number, now: Date): Promise<void> {
    const reason = failureReason(error);
    const message = error instanceof Error ? error.message : String(error);
    const retryInMs = this.#retries.failed(key, tookMs);
    this.#options.metrics.failed.inc({ backup: key });
    this.#options.logger.warn({ err: error, backup: key, retryInMs }, 'a backup failed; trying again');
    await this.#writeStatus(backup, recordFailure(backup.status, reason, message, now));
    await this.#event(backup, 'Warning', 'BackupFailed', 'Backup', `${message} (retrying in ${retryInMs} ms)`);
    this.#queue.addAfter(key, retryInMs);
  }

  /** The client certificate of a Secret the backup names; a missing Secret or field is a TLS error, not the spec's. */
  async #clientTls(backup: EtcdBackup, secret: string): Promise<EtcdClientTls> {
    const namespace = backup.metadata.namespace ?? '';
    try {
      return await readClientTls(this.#core, namespace, secret);
    } catch (error) {
      if (!(error instanceof BackupSpecError)) throw error;
      throw new ClusterTlsError(
        `the client certificate for backup ${namespace}/${backup.metadata.name}: ${error.message}`,
        { namespace, backup: backup.metadata.name, secret },
        { cause: error },
      );
    }
  }

  /** The endpoints to choose from and the client certificate's Secret, if the source needs one. */
  async #source(backup: EtcdBackup): Promise<ResolvedSource> {
    const { source } = backup.spec;
    const namespace = backup.metadata.namespace ?? '';
    if (source.endpoints !== undefined) {
      return { endpoints: source.endpoints.urls, clientTLSSecret: source.endpoints.clientTLSSecret };
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
    return { endpoints, clientTLSSecret: clientSecretOf(cluster) };
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
