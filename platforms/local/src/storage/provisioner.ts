import { mkdir, rm } from 'node:fs/promises';
import {
  CoreV1Api,
  StorageV1Api,
  type KubeConfig,
  type V1PersistentVolume,
  type V1PersistentVolumeClaim,
  type V1StorageClass,
} from '@kubernetes/client-node';
import {
  EventRecorder,
  Informer,
  isAlreadyExists,
  isNotFound,
  kubernetesApiError,
  runWorkers,
  WorkQueue,
  type KubernetesEvent,
} from '@strata/kube';
import {
  hostPathOnNode,
  LOCAL_PATH_PROVISIONER,
  LOCAL_VOLUME_FINALIZER,
  localPersistentVolume,
  LocalVolumeError,
  persistentVolumeNode,
  persistentVolumePath,
  PROVISIONED_BY_ANNOTATION,
  SELECTED_NODE_ANNOTATION,
} from './local-volumes.ts';

export interface LocalPathProvisionerOptions {
  /** Needs to read claims and storage classes, and to write volumes and Events. */
  readonly kubeConfig: KubeConfig;
  /** The state directory of a simulated node by name (its root is `<dir>/root`); undefined for a node not run here. */
  readonly nodeStateDir: (nodeName: string) => string | undefined;
  /** Told of every failure; the claim or volume is retried with back-off. */
  readonly onError: (error: unknown, what: string) => void;
}

const claimKey = (namespace: string, name: string): string => `claim/${namespace}/${name}`;
const volumeKey = (name: string): string => `volume/${name}`;

/**
 * The local platform's dynamic provisioner, in the manner of rancher's
 * local-path-provisioner: a claim of a StorageClass whose provisioner is
 * `strata.dev/local-path` gets, once the scheduler has chosen the node of its
 * first pod, a directory on that node and a PersistentVolume pinned to the
 * node; the kube-controller-manager then binds the two. A volume released by
 * its claim is deleted with its directory when its reclaim policy is Delete,
 * and kept as it is when it is Retain.
 */
export class LocalPathProvisioner {
  readonly #options: LocalPathProvisionerOptions;
  readonly #core: CoreV1Api;
  readonly #events: EventRecorder;
  readonly #queue = new WorkQueue();
  readonly #claims: Informer<V1PersistentVolumeClaim>;
  readonly #volumes: Informer<V1PersistentVolume>;
  readonly #classes: Informer<V1StorageClass>;
  #workers: Promise<void> | undefined;

  constructor(options: LocalPathProvisionerOptions) {
    this.#options = options;
    const { kubeConfig } = options;
    this.#core = kubeConfig.makeApiClient(CoreV1Api);
    const storage = kubeConfig.makeApiClient(StorageV1Api);
    this.#events = new EventRecorder(kubeConfig, {
      reportingController: LOCAL_PATH_PROVISIONER,
      reportingInstance: 'strata-up',
    });
    const onError = (what: string) => (error: unknown) => options.onError(error, `watching ${what}`);
    this.#claims = new Informer<V1PersistentVolumeClaim>({
      kubeConfig,
      path: '/api/v1/persistentvolumeclaims',
      list: (selectors) => this.#core.listPersistentVolumeClaimForAllNamespaces(selectors),
      onChange: (_change, claim) =>
        this.#queue.add(claimKey(claim.metadata?.namespace ?? '', claim.metadata?.name ?? '')),
      onError: onError('PersistentVolumeClaims'),
    });
    this.#volumes = new Informer<V1PersistentVolume>({
      kubeConfig,
      path: '/api/v1/persistentvolumes',
      list: (selectors) => this.#core.listPersistentVolume(selectors),
      onChange: (change, volume) => {
        if (change !== 'delete') this.#queue.add(volumeKey(volume.metadata?.name ?? ''));
      },
      onError: onError('PersistentVolumes'),
    });
    this.#classes = new Informer<V1StorageClass>({
      kubeConfig,
      path: '/apis/storage.k8s.io/v1/storageclasses',
      list: (selectors) => storage.listStorageClass(selectors),
      // A class created after its claims: look at the waiting claims again.
      onChange: () => {
        for (const claim of this.#claims.list())
          this.#queue.add(claimKey(claim.metadata?.namespace ?? '', claim.metadata?.name ?? ''));
      },
      onError: onError('StorageClasses'),
    });
  }

  /** Resolves once every cache holds a full list and the workers run. */
  async start(): Promise<void> {
    await Promise.all([this.#classes.start(), this.#claims.start(), this.#volumes.start()]);
    this.#workers = runWorkers(this.#queue, 2, (key) => this.#handle(key), {
      onError: (error, key) => this.#options.onError(error, key),
    });
  }

  async stop(): Promise<void> {
    await this.#queue.shutDown();
    await Promise.all([this.#claims.stop(), this.#volumes.stop(), this.#classes.stop(), this.#workers]);
  }

  async #handle(key: string): Promise<void> {
    const [kind, ...rest] = key.split('/');
    if (kind === 'claim') await this.#provision(rest[0] ?? '', rest[1] ?? '');
    else await this.#reclaim(rest[0] ?? '');
  }

  async #provision(namespace: string, name: string): Promise<void> {
    const claim = this.#claims.get(name, namespace);
    if (claim === undefined || claim.metadata?.deletionTimestamp !== undefined) return;
    // Bound already, or bound by the kube-controller-manager to a volume made earlier.
    if ((claim.spec?.volumeName ?? '') !== '') return;
    const storageClass = this.#classes.get(claim.spec?.storageClassName ?? '');
    if (storageClass?.provisioner !== LOCAL_PATH_PROVISIONER) return;
    // Until the scheduler places the claim's first pod there is no node to make the directory on.
    const nodeName = claim.metadata?.annotations?.[SELECTED_NODE_ANNOTATION];
    if (nodeName === undefined) return;
    const volume = localPersistentVolume(claim, storageClass, nodeName);
    const volumeName = volume.metadata?.name ?? '';
    if (this.#volumes.get(volumeName) !== undefined) return;
    const nodeDir = this.#options.nodeStateDir(nodeName);
    if (nodeDir === undefined) {
      await this.#record(claim, 'Warning', 'ProvisioningFailed', `node ${nodeName} is not a node of this cluster`);
      throw new LocalVolumeError(
        `cannot provision PersistentVolumeClaim ${namespace}/${name}: node ${nodeName} is not a node of this cluster`,
        { namespace, name, node: nodeName },
      );
    }
    const directory = hostPathOnNode(nodeDir, volume.spec?.local?.path ?? '');
    await mkdir(directory, { recursive: true, mode: 0o755 });
    try {
      await this.#core.createPersistentVolume({ body: volume });
    } catch (error) {
      if (!isAlreadyExists(error))
        throw kubernetesApiError({ verb: 'create', resource: 'persistentvolumes', name: volumeName }, error);
      return;
    }
    await this.#record(
      claim,
      'Normal',
      'ProvisioningSucceeded',
      `volume ${volumeName} is ${volume.spec?.local?.path ?? ''} on node ${nodeName}`,
    );
  }

  async #reclaim(volumeName: string): Promise<void> {
    const volume = this.#volumes.get(volumeName);
    if (volume?.metadata?.annotations?.[PROVISIONED_BY_ANNOTATION] !== LOCAL_PATH_PROVISIONER) return;
    const policy = volume.spec?.persistentVolumeReclaimPolicy ?? 'Delete';
    if (volume.metadata.deletionTimestamp !== undefined) {
      if (!(volume.metadata.finalizers ?? []).includes(LOCAL_VOLUME_FINALIZER)) return;
      // Retain keeps the data even when the volume object goes: an administrator may still want it.
      if (policy === 'Delete') await rm(this.#directoryOf(volume), { recursive: true, force: true });
      await this.#releaseFinalizer(volume);
      return;
    }
    if (policy === 'Delete' && volume.status?.phase === 'Released') {
      try {
        await this.#core.deletePersistentVolume({ name: volumeName });
      } catch (error) {
        if (!isNotFound(error))
          throw kubernetesApiError({ verb: 'delete', resource: 'persistentvolumes', name: volumeName }, error);
      }
    }
  }

  #directoryOf(volume: V1PersistentVolume): string {
    const name = volume.metadata?.name ?? '';
    const nodeName = persistentVolumeNode(volume);
    const path = persistentVolumePath(volume);
    const nodeDir = nodeName === undefined ? undefined : this.#options.nodeStateDir(nodeName);
    if (nodeDir === undefined || path === undefined) {
      throw new LocalVolumeError(
        `cannot find the directory of PersistentVolume ${name}: node ${nodeName ?? '(none)'}, path ${path ?? '(none)'}`,
        { volume: name, node: nodeName, path },
      );
    }
    return hostPathOnNode(nodeDir, path);
  }

  async #releaseFinalizer(volume: V1PersistentVolume): Promise<void> {
    const name = volume.metadata?.name ?? '';
    try {
      // The resourceVersion read travels with the write: a volume changed meanwhile is a conflict, handled again.
      await this.#core.replacePersistentVolume({
        name,
        body: {
          ...volume,
          metadata: {
            ...volume.metadata,
            finalizers: (volume.metadata?.finalizers ?? []).filter((finalizer) => finalizer !== LOCAL_VOLUME_FINALIZER),
          },
        },
      });
    } catch (error) {
      if (isNotFound(error)) return;
      throw kubernetesApiError({ verb: 'update', resource: 'persistentvolumes', name }, error);
    }
  }

  async #record(
    claim: V1PersistentVolumeClaim,
    type: KubernetesEvent['type'],
    reason: string,
    note: string,
  ): Promise<void> {
    const { name = '', namespace = 'default', uid = '' } = claim.metadata ?? {};
    await this.#events
      .record({
        regarding: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name, namespace, uid },
        type,
        reason,
        action: 'Provision',
        note,
      })
      .catch((error: unknown) => this.#options.onError(error, `recording an Event for claim ${namespace}/${name}`));
  }
}
