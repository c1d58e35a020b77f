// The local platform's persistent volumes: directories on the simulated nodes.
export {
  hostPathOnNode,
  isPinnedTo,
  LOCAL_PATH_PROVISIONER,
  LOCAL_PATH_RETAIN_STORAGE_CLASS,
  LOCAL_PATH_STORAGE_CLASS,
  LOCAL_VOLUME_FINALIZER,
  LOCAL_VOLUME_ROOT,
  localPersistentVolume,
  LocalVolumeError,
  nodeRootDir,
  persistentVolumeNode,
  persistentVolumePath,
} from './local-volumes.ts';
export { localStorageClasses } from './storage-classes.ts';
export { LocalPathProvisioner, type LocalPathProvisionerOptions } from './provisioner.ts';
