// The public API of the bootstrap manifests.
export { renderBootstrapManifests } from './render.ts';
export { manifestFileToYaml } from './yaml.ts';
export { ADDON_FILE_PREFIXES, type ManifestFile } from './manifest-file.ts';
export {
  parseManifestInputs,
  ManifestInputsError,
  type ManifestInputIssue,
  type ManifestInputs,
  type BootstrapTokenInput,
} from './inputs.ts';
export {
  COREDNS_IMAGE,
  FLANNEL_CNI_PLUGIN_IMAGE,
  FLANNEL_IMAGE,
  KUBE_PROXY_IMAGE_REPOSITORY,
  UPDATE_OPERATOR_IMAGE,
  ETCD_OPERATOR_IMAGE,
  JOIN_APPROVER_IMAGE,
  UPDATE_SERVER_IMAGE,
  type BootstrapImages,
} from './images.ts';
export { COMPONENT_LABEL, STRATA_CONSOLE_NAMESPACE, STRATA_SYSTEM_NAMESPACE } from './namespaces.ts';
export { APISERVER_KUBELET_CLIENT } from './node-bootstrap.ts';
export { JOIN_APPROVER_NAMES } from './join-approver/index.ts';
export * from './update-operator/index.ts';
export * from './etcd-operator/index.ts';
export * from './update-server/index.ts';
export * from './console/index.ts';
