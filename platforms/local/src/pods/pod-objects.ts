import {
  CoreV1Api,
  type KubeConfig,
  type V1ConfigMap,
  type V1PersistentVolume,
  type V1PersistentVolumeClaim,
  type V1Pod,
  type V1Secret,
} from '@kubernetes/client-node';
import { StrataError } from '@strata/api';
import { describeApiError, isNotFound } from '@strata/kube';
import { isPinnedTo, persistentVolumePath } from '../storage/local-volumes.ts';

/**
 * An object a pod refers to could not be had (yet). The kubelet keeps trying
 * in that case, since the object, the key or the node's permission may come.
 */
export class PodObjectError extends StrataError {}

/** A claim bound to a volume that a process cannot use as a directory of this node: no retry fixes it. */
export class UnsupportedClaimError extends StrataError {}

/** The fields of a PersistentVolume's spec that are not its volume source. */
const NON_SOURCE_SPEC_FIELDS = new Set([
  'accessModes',
  'capacity',
  'claimRef',
  'mountOptions',
  'nodeAffinity',
  'persistentVolumeReclaimPolicy',
  'storageClassName',
  'volumeAttributesClassName',
  'volumeMode',
]);

export interface ServiceAccountToken {
  readonly token: string;
  readonly expiresAt: Date;
}

export interface TokenRequestOptions {
  readonly audience?: string;
  readonly expirationSeconds: number;
}

/**
 * The config maps, secrets and tokens of one pod, read with the node's own
 * credentials (the Node authorizer lets a node read only what its pods use).
 * Each object is read once per instance, so that all volumes and env of one
 * start see the same version.
 */
export class PodObjects {
  readonly #core: CoreV1Api;
  readonly #pod: V1Pod;
  readonly #namespace: string;
  readonly #cache = new Map<string, Promise<V1ConfigMap | V1Secret | undefined>>();

  constructor(kubeConfig: KubeConfig, pod: V1Pod) {
    this.#core = kubeConfig.makeApiClient(CoreV1Api);
    this.#pod = pod;
    this.#namespace = pod.metadata?.namespace ?? 'default';
  }

  async configMap(name: string, optional: boolean): Promise<V1ConfigMap | undefined> {
    return this.#read('ConfigMap', name, optional, () =>
      this.#core.readNamespacedConfigMap({ name, namespace: this.#namespace }),
    );
  }

  async secret(name: string, optional: boolean): Promise<V1Secret | undefined> {
    return this.#read('Secret', name, optional, () =>
      this.#core.readNamespacedSecret({ name, namespace: this.#namespace }),
    );
  }

  /**
   * The directory path on the node of a claim's volume, once the claim is bound
   * to a local or hostPath volume pinned to this node. Until the claim is bound
   * this throws, and the pod waits, as the kubelet's volume manager does.
   */
  async claimedVolume(
    claimName: string,
    nodeName: string,
  ): Promise<{ readonly volume: string; readonly path: string }> {
    const claimText = `PersistentVolumeClaim ${this.#namespace}/${claimName}`;
    const claim = await this.#get(claimText, () =>
      this.#core.readNamespacedPersistentVolumeClaim({ name: claimName, namespace: this.#namespace }),
    );
    const volumeName = claim.spec?.volumeName ?? '';
    if (claim.status?.phase !== 'Bound' || volumeName === '') {
      throw new PodObjectError(`${claimText} is not bound yet (phase ${claim.status?.phase ?? 'unknown'})`, {
        claim: claimName,
        namespace: this.#namespace,
      });
    }
    const volume: V1PersistentVolume = await this.#get(`PersistentVolume ${volumeName}`, () =>
      this.#core.readPersistentVolume({ name: volumeName }),
    );
    const path = persistentVolumePath(volume);
    if (path === undefined) {
      const type = Object.keys(volume.spec ?? {}).find((key) => !NON_SOURCE_SPEC_FIELDS.has(key)) ?? '(none)';
      throw new UnsupportedClaimError(
        `${claimText} is bound to PersistentVolume ${volumeName}, a ${type} volume; process pods mount local and hostPath volumes`,
        { claim: claimName, namespace: this.#namespace, volume: volumeName, type },
      );
    }
    if (!isPinnedTo(volume, nodeName)) {
      throw new UnsupportedClaimError(
        `${claimText} is bound to PersistentVolume ${volumeName}, which is not pinned to node ${nodeName} by kubernetes.io/hostname`,
        { claim: claimName, namespace: this.#namespace, volume: volumeName, node: nodeName },
      );
    }
    return { volume: volumeName, path };
  }

  /** A token of the pod's service account bound to the pod, as the kubelet requests for projected volumes. */
  async serviceAccountToken(options: TokenRequestOptions): Promise<ServiceAccountToken> {
    const serviceAccount = this.#pod.spec?.serviceAccountName ?? 'default';
    try {
      const answer = await this.#core.createNamespacedServiceAccountToken({
        name: serviceAccount,
        namespace: this.#namespace,
        body: {
          spec: {
            // No audience means the API server's own.
            audiences: options.audience === undefined || options.audience === '' ? [] : [options.audience],
            expirationSeconds: options.expirationSeconds,
            boundObjectRef: {
              apiVersion: 'v1',
              kind: 'Pod',
              name: this.#pod.metadata?.name ?? '',
              uid: this.#pod.metadata?.uid ?? '',
            },
          },
        },
      });
      const expiresAt = answer.status?.expirationTimestamp;
      const token = answer.status?.token;
      if (token === undefined || expiresAt === undefined) throw new Error('the TokenRequest answer has no token');
      return { token, expiresAt: new Date(expiresAt) };
    } catch (error) {
      throw new PodObjectError(
        `cannot get a token of service account ${this.#namespace}/${serviceAccount}: ${describeApiError(error)}`,
        {
          serviceAccount,
          namespace: this.#namespace,
        },
        { cause: error },
      );
    }
  }

  /** Reads an object the pod cannot start without; not cached, since a claim's binding changes. */
  async #get<T extends V1PersistentVolumeClaim | V1PersistentVolume>(what: string, get: () => Promise<T>): Promise<T> {
    try {
      return await get();
    } catch (error) {
      throw new PodObjectError(
        `cannot read ${what}: ${describeApiError(error)}`,
        { what, namespace: this.#namespace },
        { cause: error },
      );
    }
  }

  async #read<T extends V1ConfigMap | V1Secret>(
    kind: string,
    name: string,
    optional: boolean,
    get: () => Promise<T>,
  ): Promise<T | undefined> {
    const key = `${kind}/${name}`;
    let pending = this.#cache.get(key) as Promise<T | undefined> | undefined;
    if (pending === undefined) {
      pending = get().catch((error: unknown) => {
        if (isNotFound(error)) return undefined;
        // A failed read is not cached: the next start tries again.
        this.#cache.delete(key);
        throw new PodObjectError(
          `cannot read ${kind} ${this.#namespace}/${name}: ${describeApiError(error)}`,
          { kind, name, namespace: this.#namespace },
          { cause: error },
        );
      });
      this.#cache.set(key, pending);
    }
    const object = await pending;
    if (object === undefined && !optional) {
      throw new PodObjectError(`${kind} ${this.#namespace}/${name} not found`, {
        kind,
        name,
        namespace: this.#namespace,
      });
    }
    return object;
  }
}
