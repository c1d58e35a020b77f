// The Kubernetes-backed boot store: custom resources for profiles and
// groups, ConfigMaps for templates, watched by every replica.
export {
  BOOT_API_GROUP,
  BOOT_API_GROUP_VERSION,
  BOOT_API_VERSION,
  bootCrdsYaml,
  bootCustomResourceDefinitions,
  MACHINE_GROUP,
  MACHINE_PROFILE,
  machineGroupDefinition,
  machineProfileDefinition,
  TEMPLATE_KIND_LABEL,
} from './crds.ts';
export { KubernetesStoreError } from './errors.ts';
export { loadBootKubeConfig } from './kubeconfig.ts';
export { installBootCrds, type InstallBootCrdsOptions } from './install.ts';
export { KubernetesBootStore, type KubernetesBootStoreOptions } from './kubernetes-store.ts';
export { bootServerRole } from './rbac.ts';
export { templateConfigMapName, type MachineGroupObject, type MachineProfileObject } from './resources.ts';
