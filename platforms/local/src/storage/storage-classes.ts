import type { V1StorageClass } from '@kubernetes/client-node';
import { LOCAL_PATH_PROVISIONER, LOCAL_PATH_RETAIN_STORAGE_CLASS, LOCAL_PATH_STORAGE_CLASS } from './local-volumes.ts';

/**
 * The local platform's StorageClasses. Both wait for the first consumer: a
 * directory exists on one node only, so the scheduler must pick the node
 * first. The Delete class is the cluster's default, so that a claim (an etcd
 * member's volume template) needs no class name.
 */
export function localStorageClasses(): V1StorageClass[] {
  const storageClass = (name: string, reclaimPolicy: 'Delete' | 'Retain', isDefault: boolean): V1StorageClass => ({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: {
      name,
      ...(isDefault ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}),
    },
    provisioner: LOCAL_PATH_PROVISIONER,
    reclaimPolicy,
    volumeBindingMode: 'WaitForFirstConsumer',
    allowVolumeExpansion: false,
  });
  return [
    storageClass(LOCAL_PATH_STORAGE_CLASS, 'Delete', true),
    storageClass(LOCAL_PATH_RETAIN_STORAGE_CLASS, 'Retain', false),
  ];
}
