// The Kubernetes-backed boot store: custom resources for profiles and
// groups, ConfigMaps for templates, watched by every replica.
export { KubernetesStoreError } from './errors.ts';
export { loadBootKubeConfig } from './kubeconfig.ts';
export { installBootCrds, type InstallBootCrdsOptions } from './install.ts';
export { KubernetesBootStore, type KubernetesBootStoreOptions } from './kubernetes-store.ts';
export { bootServerRole } from './rbac.ts';
export { templateConfigMapName, type MachineGroupObject, type MachineProfileObject } from './resources.ts';
