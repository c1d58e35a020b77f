// The EtcdRestore controller: EtcdRestores through an informer, one work queue keyed by restore. A pass resolves the
// snapshot (an EtcdBackup's recorded backup or an S3 object), refuses when an EtcdCluster of the target name exists (a
// restore never writes into a live cluster), fetches the snapshot into the operator's scratch directory, verifies it
// (the recorded sha256, etcd's trailer, the recorded revision) and only then creates the new EtcdCluster, marked with
// the snapshot and paused. The next pass unpauses it: its founding member is seeded from the same snapshot (the seed
// source annotation; ../pods/seed-containers.ts) under a new cluster ID, and the restore is Restored once the cluster
// is Available at its size with every member at the snapshot's revision. A corrupt snapshot or an existing cluster
// ends the restore as Failed with nothing created; a store that does not answer is tried again after the shared
// back-off.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import {
  ETCD_BACKUP,
  ETCD_CLUSTER,
  ETCD_RESTORE,
  parseEtcdBackup,
  parseEtcdRestore,
  StrataError,
  type EtcdRestore,
} from '@strata/api';
import {
  describeApiError,
  type EventRecorder,
  type Informer,
  isAlreadyExists,
  kubernetesApiError,
  WorkQueue,
} from '@strata/kube';
import type { Logger } from 'pino';
import { BackupSpecError, openBackupStore, openS3Store } from '../backup/open-store.ts';
import { KeyedBackoff } from '../keyed-backoff.ts';
import {
  customResourceInformer,
  operatorEventRecorder,
  patchStatus,
  readEtcdCluster,
  recordEvent,
  runQueuedPasses,
} from '../custom-resources.ts';
import { BackupPodError } from '../backup/backup-pod.ts';
import { CorruptSnapshotError, type VerifiedSnapshot } from '../backup/snapshot-file.ts';
import { fetchVerified } from './fetch-verified.ts';
import { BackupStoreError } from '../backup/store.ts';
import { verifyOnClaim, VerifyPodError } from './verify-pod.ts';
import { describeSource, parseS3URL, pickRecordedBackup, RestoreSourceError } from './restore-source.ts';
import {
  notRestoredYet,
  recordFailure,
  recordRestored,
  recordSeeding,
  recordStaged,
  seedingStarted,
  type EtcdRestoreStatus,
} from './restore-status.ts';
import { SEED_ANNOTATION, seedStoreOfBackup, type SeedSource, type SeedStore } from './seed-source.ts';

/** An EtcdCluster of the restore's target name exists and was not created by this restore. */
export class RestoreTargetExistsError extends StrataError {}

/** How the EtcdCluster a restore creates is marked: which restore, which snapshot, which revision. */
export const RESTORE_ANNOTATIONS = {
  restore: 'etcd.strata.dev/restore',
  restoreUID: 'etcd.strata.dev/restore-uid',
  source: 'etcd.strata.dev/restore-source',
  sha256: 'etcd.strata.dev/restore-sha256',
  revision: 'etcd.strata.dev/restore-revision',
} as const;

export interface EtcdRestoreControllerOptions {
  readonly kubeConfig: KubeConfig;
  readonly identity: string;
  readonly logger: Logger;
  /** Only EtcdRestores in this namespace; all when absent. */
  readonly namespace?: string;
  /** Writes only while this holds (the Lease's fence). */
  readonly mayWrite: () => boolean;
  /**
   * Where `destination.pvc` claims of EtcdBackups are mounted into the operator: used only without `operatorImage`
   * (the harness tests, which run no pods).
   */
  readonly pvcRoot: string;
  /** The operator's own image: with it, a backup on a claim is verified in a pod that mounts the claim (ADR 0053). */
  readonly operatorImage?: string;
  /** How long a verifying pod may take (default 5 minutes). */
  readonly verifyTimeoutMs?: number;
  /** A private directory: verified snapshots are staged in its `restores/` as `<restore uid>.db`. */
  readonly scratchDirectory: string;
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  /** How often a Restoring restore looks at its cluster (default 2 s). */
  readonly followIntervalMs?: number;
}

interface ResolvedSource {
  /** Verifies the snapshot: fetched and staged at `staged`, or (on a claim) in a verifying pod, staging nothing. */
  readonly verify: (staged: string) => Promise<VerifiedSnapshot>;
  readonly close: () => void;
  /** The same store as the member pod's seeding step reaches it. */
  readonly seedStore: SeedStore;
  readonly name: string;
  readonly location: string;
}

/** What a restore records of the snapshot it verified. */
type RestoredFigures = Pick<VerifiedSnapshot, 'sha256' | 'revision'>;

function failureOf(error: unknown): { reason: string; final: boolean } {
  if (error instanceof CorruptSnapshotError) return { reason: 'SnapshotCorrupt', final: true };
  if (error instanceof RestoreTargetExistsError) return { reason: 'ClusterExists', final: true };
  // A source that does not resolve yet (no backup recorded, a Secret not created) may resolve later: retried.
  if (error instanceof RestoreSourceError || error instanceof BackupSpecError) {
    return { reason: 'SourceInvalid', final: false };
  }
  if (error instanceof BackupStoreError) return { reason: 'StoreFailed', final: false };
  // A verifying pod's own reason (StoreFailed for a file it cannot read, BackupPodFailed for a pod that died).
  if (error instanceof BackupPodError) return { reason: error.reason, final: false };
  if (error instanceof VerifyPodError) return { reason: 'VerifyPodFailed', final: false };
  return { reason: 'RestoreFailed', final: false };
}

export class EtcdRestoreController {
  readonly #options: EtcdRestoreControllerOptions;
  readonly #core: CoreV1Api;
  readonly #customObjects: CustomObjectsApi;
  readonly #events: EventRecorder;
  readonly #queue = new WorkQueue();
  readonly #restores: Informer<KubernetesObject>;
  readonly #retries: KeyedBackoff;

  constructor(options: EtcdRestoreControllerOptions) {
    this.#options = options;
    this.#retries = new KeyedBackoff({
      baseDelayMs: options.retryDelayMs ?? 5000,
      maxDelayMs: options.maxRetryDelayMs ?? 300_000,
    });
    const { kubeConfig, namespace } = options;
    this.#core = kubeConfig.makeApiClient(CoreV1Api);
    this.#customObjects = kubeConfig.makeApiClient(CustomObjectsApi);
    this.#events = operatorEventRecorder(kubeConfig, options.identity);
    this.#restores = customResourceInformer({
      kubeConfig,
      names: ETCD_RESTORE,
      namespace,
      queue: this.#queue,
      logger: options.logger,
    });
  }

  /** Runs until `signal` aborts; nothing is decided before the cache holds a full list. */
  async run(signal: AbortSignal): Promise<void> {
    await runQueuedPasses({
      informer: this.#restores,
      queue: this.#queue,
      signal,
      pass: (key) => this.#pass(key),
      onError: (error, key) => this.#options.logger.error({ err: error, restore: key }, 'a restore pass failed'),
    });
  }

  async #pass(key: string): Promise<void> {
    const [namespace = '', name = ''] = key.split('/', 2);
    const raw = this.#restores.get(name, namespace);
    if (raw === undefined || raw.metadata?.deletionTimestamp !== undefined) {
      this.#retries.forget(key);
      return;
    }
    const restore = parseEtcdRestore(raw);
    // A restore runs once: after it created its cluster, or failed for good, a new EtcdRestore is the way to retry.
    if (restore.status?.phase === 'Restored' || restore.status?.phase === 'Failed') return;
    if (restore.status?.phase === 'Restoring') {
      if (!this.#options.mayWrite()) return;
      try {
        await this.#follow(key, restore);
      } catch (error) {
        // The API server refusing or not answering: looked at again after the usual interval.
        this.#options.logger.warn({ err: error, restore: key }, 'following a restored cluster failed');
        this.#queue.addAfter(key, this.#options.followIntervalMs ?? 2000);
      }
      return;
    }
    const waitMs = this.#retries.notBefore(key) - Date.now();
    if (waitMs > 0) {
      this.#queue.addAfter(key, waitMs);
      return;
    }
    if (!this.#options.mayWrite()) return;
    await this.#attempt(key, restore);
  }

  async #attempt(key: string, restore: EtcdRestore): Promise<void> {
    const started = Date.now();
    const staged = this.#stagedPath(restore);
    let source: ResolvedSource | undefined;
    try {
      const ours = await this.#targetIsOurs(restore);
      if (ours !== undefined) {
        // A pass that created the cluster and stopped before its status was written: the cluster carries the figures
        // it verified.
        await this.#finish(restore, ours, restore.status?.source ?? describeSource(restore.spec.source));
        return;
      }
      source = await this.#resolve(restore);
      const verified = await source.verify(staged);
      await this.#createCluster(restore, verified, source);
      await this.#finish(restore, verified, source.location);
      this.#retries.forget(key);
    } catch (error) {
      const { reason, final } = failureOf(error);
      const message = error instanceof Error ? error.message : String(error);
      const failure = { reason, message, final, ...(source === undefined ? {} : { source: source.location }) };
      await this.#writeStatus(restore, recordFailure(restore.status, failure, new Date()));
      if (final) {
        this.#options.logger.warn({ err: error, restore: key, reason }, 'a restore failed');
        await this.#event(restore, 'Warning', 'RestoreFailed', message);
        return;
      }
      const retryInMs = this.#retries.failed(key, Date.now() - started);
      this.#options.logger.warn({ err: error, restore: key, reason, retryInMs }, 'a restore failed; trying again');
      await this.#event(restore, 'Warning', 'RestoreFailed', `${message} (retrying in ${retryInMs} ms)`);
      this.#queue.addAfter(key, retryInMs);
    } finally {
      source?.close();
    }
  }

  /**
   * After the cluster was created: unpause it once (its founding member is then seeded), and watch it until it counts
   * as restored. The cluster's status is not watched through an informer here: a restore is followed every
   * `followIntervalMs` while it is Restoring.
   */
  async #follow(key: string, restore: EtcdRestore): Promise<void> {
    const namespace = restore.metadata.namespace ?? '';
    const name = restore.spec.cluster.name;
    const address = {
      group: ETCD_CLUSTER.group,
      version: ETCD_CLUSTER.version,
      plural: ETCD_CLUSTER.plural,
      namespace,
      name,
    };
    const cluster = await readEtcdCluster(this.#customObjects, namespace, name);
    if (cluster === undefined) {
      const message = `EtcdCluster ${namespace}/${name} was deleted before it was restored`;
      await this.#writeStatus(
        restore,
        recordFailure(restore.status, { reason: 'ClusterGone', message, final: true }, new Date()),
      );
      await this.#event(restore, 'Warning', 'RestoreFailed', message);
      return;
    }
    if (cluster.metadata.annotations?.[RESTORE_ANNOTATIONS.restoreUID] !== restore.metadata.uid) {
      throw new RestoreTargetExistsError(`EtcdCluster ${namespace}/${name} is not the one this restore created`, {
        namespace,
        cluster: name,
      });
    }
    if (!seedingStarted(restore.status)) {
      // The restore's own spec may ask for a paused cluster: then it stays paused, and whoever unpauses it seeds it.
      if (restore.spec.cluster.spec.paused !== true) {
        await this.#customObjects.patchNamespacedCustomObject(
          { ...address, body: { spec: { paused: false } } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
      }
      const status = recordSeeding(restore.status, name, new Date());
      await this.#writeStatus(restore, status);
      await this.#event(restore, 'Normal', 'ClusterUnpaused', status.conditions?.[0]?.message ?? '');
      this.#queue.addAfter(key, this.#options.followIntervalMs ?? 2000);
      return;
    }
    const revision = restore.status?.restoredRevision ?? 0;
    const conditions = cluster.status?.conditions ?? [];
    const view = {
      name,
      phase: cluster.status?.phase,
      available: conditions.some((condition) => condition.type === 'Available' && condition.status === 'True'),
      clusterID: cluster.status?.clusterID,
      size: cluster.spec.size,
      members: (cluster.status?.members ?? []).filter((member) => !member.learner),
    };
    const waiting = notRestoredYet(view, revision);
    if (waiting !== undefined || view.clusterID === undefined) {
      this.#options.logger.debug({ restore: key, waiting }, 'the restored cluster is not there yet');
      this.#queue.addAfter(key, this.#options.followIntervalMs ?? 2000);
      return;
    }
    const status = recordRestored(
      restore.status,
      { name, clusterID: view.clusterID, members: view.members.length },
      new Date(),
    );
    await this.#writeStatus(restore, status);
    await this.#event(restore, 'Normal', 'Restored', status.conditions?.[0]?.message ?? '');
    // The staged copy holds every Secret of the cluster it came from: it goes once nothing needs it.
    await rm(this.#stagedPath(restore), { force: true });
  }

  #stagedPath(restore: EtcdRestore): string {
    return join(this.#options.scratchDirectory, 'restores', `${restore.metadata.uid ?? restore.metadata.name}.db`);
  }

  /**
   * When the target EtcdCluster exists and this restore created it, the figures it verified (recorded on the cluster);
   * undefined when it does not exist. One that exists otherwise is refused: a restore never writes into a live cluster.
   */
  async #targetIsOurs(restore: EtcdRestore): Promise<RestoredFigures | undefined> {
    const namespace = restore.metadata.namespace ?? '';
    const name = restore.spec.cluster.name;
    const existing = await readEtcdCluster(this.#customObjects, namespace, name);
    if (existing === undefined) return undefined;
    const uid = restore.metadata.uid;
    const annotations = existing.metadata.annotations ?? {};
    if (uid !== undefined && annotations[RESTORE_ANNOTATIONS.restoreUID] === uid) {
      return {
        sha256: annotations[RESTORE_ANNOTATIONS.sha256] ?? '',
        revision: Number(annotations[RESTORE_ANNOTATIONS.revision] ?? 0),
      };
    }
    throw new RestoreTargetExistsError(
      `EtcdCluster ${namespace}/${name} already exists: a restore never writes into a live cluster; name a new one`,
      { namespace, cluster: name, field: 'spec.cluster.name' },
    );
  }

  async #resolve(restore: EtcdRestore): Promise<ResolvedSource> {
    const namespace = restore.metadata.namespace ?? '';
    const { source } = restore.spec;
    if (source.s3 !== undefined) {
      const object = parseS3URL(source.s3.url);
      const store = await openS3Store(this.#core, namespace, { ...source.s3, ...object });
      const given = source.s3.sha256;
      const location = source.s3.url;
      return {
        verify: (staged) =>
          fetchVerified(
            {
              store,
              name: object.name,
              location,
              sha256: async () => given ?? (await store.recordedSha256(object.name)),
            },
            staged,
          ),
        close: () => store.close(),
        seedStore: {
          kind: 's3',
          endpoint: source.s3.endpoint,
          bucket: object.bucket,
          ...(object.prefix === '' ? {} : { prefix: object.prefix }),
          ...(source.s3.region === undefined ? {} : { region: source.s3.region }),
          forcePathStyle: source.s3.forcePathStyle,
          credentialsSecret: source.s3.credentialsSecret,
        },
        name: object.name,
        location,
      };
    }
    const backupName = source.backup?.name ?? '';
    let raw: unknown;
    try {
      raw = await this.#customObjects.getNamespacedCustomObject({
        group: ETCD_BACKUP.group,
        version: ETCD_BACKUP.version,
        plural: ETCD_BACKUP.plural,
        namespace,
        name: backupName,
      });
    } catch (error) {
      throw new RestoreSourceError(
        `cannot read EtcdBackup ${namespace}/${backupName}: ${describeApiError(error)}`,
        { namespace, backup: backupName, field: 'spec.source.backup.name' },
        { cause: error },
      );
    }
    const backup = parseEtcdBackup(raw);
    const record = pickRecordedBackup(backup, source.backup?.snapshot);
    const seedStore = seedStoreOfBackup(backup);
    const resolved = { seedStore, name: record.name, location: record.location };
    const image = this.#options.operatorImage;
    if (seedStore.kind === 'pvc' && image !== undefined) {
      // The claim is mounted by a verifying pod, never by the operator; nothing is staged (the member's seed-fetch
      // reads the claim itself).
      const snapshot = {
        ...seedStore,
        name: record.name,
        location: record.location,
        sha256: record.sha256,
        revision: record.revision,
      };
      const owner = {
        apiVersion: ETCD_RESTORE.apiVersion,
        kind: ETCD_RESTORE.kind,
        name: restore.metadata.name,
        namespace,
        uid: restore.metadata.uid ?? '',
      };
      return {
        ...resolved,
        verify: () =>
          verifyOnClaim({
            kubeConfig: this.#options.kubeConfig,
            owner,
            operatorImage: image,
            snapshot,
            ...(this.#options.verifyTimeoutMs === undefined ? {} : { timeoutMs: this.#options.verifyTimeoutMs }),
          }),
        close: () => undefined,
      };
    }
    const store = await openBackupStore(this.#core, backup, this.#options.pvcRoot);
    return {
      ...resolved,
      verify: (staged) =>
        fetchVerified(
          {
            store,
            name: record.name,
            location: record.location,
            sha256: () => Promise.resolve(record.sha256),
            revision: record.revision,
          },
          staged,
        ),
      close: () => store.close(),
    };
  }

  async #createCluster(restore: EtcdRestore, verified: VerifiedSnapshot, source: ResolvedSource): Promise<void> {
    const namespace = restore.metadata.namespace ?? '';
    const name = restore.spec.cluster.name;
    if (!this.#options.mayWrite()) throw new StrataError('lost the lease before creating the cluster', { name });
    const seed: SeedSource = {
      token: restore.metadata.uid ?? restore.metadata.name,
      name: source.name,
      sha256: verified.sha256,
      revision: verified.revision,
      store: source.seedStore,
    };
    const body = {
      apiVersion: ETCD_CLUSTER.apiVersion,
      kind: ETCD_CLUSTER.kind,
      metadata: {
        name,
        namespace,
        annotations: {
          [RESTORE_ANNOTATIONS.restore]: restore.metadata.name,
          [RESTORE_ANNOTATIONS.restoreUID]: restore.metadata.uid ?? '',
          [RESTORE_ANNOTATIONS.source]: source.location,
          [RESTORE_ANNOTATIONS.sha256]: verified.sha256,
          [RESTORE_ANNOTATIONS.revision]: String(verified.revision),
          [SEED_ANNOTATION]: JSON.stringify(seed),
        },
      },
      // Paused until this restore has recorded what it created (the next pass unpauses it): no member is started for
      // a restore whose status does not say so yet.
      spec: { ...restore.spec.cluster.spec, paused: true },
    };
    try {
      await this.#customObjects.createNamespacedCustomObject({
        group: ETCD_CLUSTER.group,
        version: ETCD_CLUSTER.version,
        plural: ETCD_CLUSTER.plural,
        namespace,
        body,
      });
    } catch (error) {
      if (isAlreadyExists(error)) {
        throw new RestoreTargetExistsError(
          `EtcdCluster ${namespace}/${name} was created by someone else meanwhile: a restore never writes into a live cluster`,
          { namespace, cluster: name, field: 'spec.cluster.name' },
          { cause: error },
        );
      }
      throw kubernetesApiError({ verb: 'create', resource: ETCD_CLUSTER.plural, namespace, name }, error);
    }
  }

  async #finish(restore: EtcdRestore, verified: RestoredFigures, location: string): Promise<void> {
    const status = recordStaged(
      restore.status,
      { source: location, sha256: verified.sha256, revision: verified.revision, cluster: restore.spec.cluster.name },
      new Date(),
    );
    await this.#writeStatus(restore, status);
    await this.#event(restore, 'Normal', 'SnapshotVerified', status.conditions?.[0]?.message ?? '');
  }

  async #writeStatus(restore: EtcdRestore, status: EtcdRestoreStatus): Promise<void> {
    if (!this.#options.mayWrite()) return;
    const namespace = restore.metadata.namespace ?? '';
    await patchStatus(this.#customObjects, ETCD_RESTORE, namespace, restore.metadata.name, status);
  }

  #event(restore: EtcdRestore, type: 'Normal' | 'Warning', reason: string, note: string): Promise<void> {
    return recordEvent(
      this.#events,
      this.#options.logger,
      { names: ETCD_RESTORE, metadata: restore.metadata },
      { type, reason, action: 'Restore', note },
    );
  }
}
