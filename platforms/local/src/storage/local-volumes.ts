// What a local volume is on the local platform: a directory on one simulated
// node, below that node's root directory, named in its PersistentVolume by
// the path the node itself would see.
import { isAbsolute, join, posix } from 'node:path';
import type { V1PersistentVolume, V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import { StrataError } from '@strata/api';

export class LocalVolumeError extends StrataError {}

/** The StorageClass provisioner name that the local path provisioner serves. */
export const LOCAL_PATH_PROVISIONER = 'strata.dev/local-path';
/** The default StorageClass: volumes deleted with their claim. */
export const LOCAL_PATH_STORAGE_CLASS = 'strata-local-path';
/** The same volumes, kept (with their data) when their claim is deleted. */
export const LOCAL_PATH_RETAIN_STORAGE_CLASS = 'strata-local-path-retain';
/** Where volumes live on a node, as the node sees its own file system. */
export const LOCAL_VOLUME_ROOT = '/var/lib/strata/local-volumes';
/** Held on every volume this provisioner made, so that its directory goes before the PersistentVolume does. */
export const LOCAL_VOLUME_FINALIZER = 'strata.dev/local-path-volume';
/** Set by the scheduler on a WaitForFirstConsumer claim: the node of the first pod that uses it. */
export const SELECTED_NODE_ANNOTATION = 'volume.kubernetes.io/selected-node';
/** Names the provisioner of a volume it made, as external provisioners do. */
export const PROVISIONED_BY_ANNOTATION = 'pv.kubernetes.io/provisioned-by';

/** A node's root directory on this machine: `<node state dir>/root`, beside the kubelet state of the node. */
export function nodeRootDir(nodeStateDir: string): string {
  return join(nodeStateDir, 'root');
}

/** The directory on this machine behind a path on a node. */
export function hostPathOnNode(nodeStateDir: string, nodePath: string): string {
  // A normalized absolute path has no ".." left, so joined to the root it stays below it.
  const normal = posix.normalize(nodePath);
  if (!posix.isAbsolute(normal)) {
    throw new LocalVolumeError(`"${nodePath}" is not an absolute path on the node`, { path: nodePath });
  }
  return join(nodeRootDir(nodeStateDir), normal);
}

/** The path on the node of the volume of a claim: its PersistentVolume's name, then the claim's, for people who look. */
export function volumeNodePath(volumeName: string, claim: V1PersistentVolumeClaim): string {
  const { namespace = 'default', name = '' } = claim.metadata ?? {};
  return posix.join(LOCAL_VOLUME_ROOT, `${volumeName}_${namespace}_${name}`);
}

/** The volume's path on its node, for the volume types a local volume can be. */
export function persistentVolumePath(volume: V1PersistentVolume): string | undefined {
  return volume.spec?.local?.path ?? volume.spec?.hostPath?.path;
}

/** True when the volume's required node affinity names `nodeName` by kubernetes.io/hostname. */
export function isPinnedTo(volume: V1PersistentVolume, nodeName: string): boolean {
  return (volume.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? []).some((term) =>
    (term.matchExpressions ?? []).some(
      (expression) =>
        expression.key === 'kubernetes.io/hostname' &&
        expression.operator === 'In' &&
        (expression.values ?? []).includes(nodeName),
    ),
  );
}

/** The node a volume is pinned to by its required node affinity on kubernetes.io/hostname. */
export function persistentVolumeNode(volume: V1PersistentVolume): string | undefined {
  for (const term of volume.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? []) {
    for (const expression of term.matchExpressions ?? []) {
      if (
        expression.key === 'kubernetes.io/hostname' &&
        expression.operator === 'In' &&
        expression.values?.length === 1
      )
        return expression.values[0];
    }
  }
  return undefined;
}

/**
 * The PersistentVolume for a claim on a node, as the kube-controller-manager
 * expects a provisioner to write it: bound in advance to the claim (claimRef)
 * and pinned to the node, so that the scheduler places every user of the
 * claim there.
 */
export function localPersistentVolume(
  claim: V1PersistentVolumeClaim,
  storageClass: V1StorageClass,
  nodeName: string,
): V1PersistentVolume {
  const { namespace = 'default', name = '', uid = '' } = claim.metadata ?? {};
  const requested = claim.spec?.resources?.requests?.['storage'];
  if (requested === undefined) {
    throw new LocalVolumeError(`PersistentVolumeClaim ${namespace}/${name} requests no storage`, {
      namespace,
      name,
      field: 'spec.resources.requests.storage',
    });
  }
  // As Kubernetes names dynamically provisioned volumes.
  const volumeName = `pvc-${uid}`;
  const path = volumeNodePath(volumeName, claim);
  if (!isAbsolute(path)) throw new LocalVolumeError(`volume path ${path} is not absolute`, { path });
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name: volumeName,
      annotations: { [PROVISIONED_BY_ANNOTATION]: LOCAL_PATH_PROVISIONER },
      finalizers: [LOCAL_VOLUME_FINALIZER],
    },
    spec: {
      capacity: { storage: requested },
      accessModes: claim.spec?.accessModes ?? ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: storageClass.reclaimPolicy ?? 'Delete',
      storageClassName: storageClass.metadata?.name ?? '',
      volumeMode: 'Filesystem',
      local: { path },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [nodeName] }] },
          ],
        },
      },
      claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace, name, uid },
    },
  };
}
