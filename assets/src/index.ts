// The public entry point of @strata/assets. Other packages import only from here

export * from './pki/index.ts';
export { renderKubeconfig, writeKubeconfig, type KubeconfigInput } from './kubeconfig/kubeconfig.ts';
export {
  containsAddress,
  formatAddress,
  formatCidr,
  lastAddress,
  nthAddress,
  nthAddresses,
  overlaps,
  parseAddress,
  parseCidr,
  splitCidrList,
  type Cidr,
  type IpFamily,
} from './net/cidr.ts';
export { clusterTopology, type ClusterTopology, type ControllerNode, type WorkerNode } from './topology/topology.ts';
export { applyRenderPlan, planClusterRender, renderInput, clusterAssets, RenderTargetError } from './render/render.ts';
export { HandEditedFilesError, AssetGraphError, type RenderPlan } from './render/engine.ts';
export { ASSET_PATHS, CERT, KEY, NODE_PATHS } from './render/layout.ts';
export {
  JoinTokenError,
  joinTokenTargets,
  parseJoinTokenFile,
  type JoinTokenFile,
  type JoinTokenTarget,
} from './render/catalog/join-tokens.ts';
export {
  encryptionConfiguration,
  generateEncryptionKey,
  parseEncryptionKeys,
  rotateEncryptionKeys,
  ENCRYPTION_KEY_BYTES,
  ENCRYPTION_KEY_ROTATION_STEPS,
  EncryptionKeyRotationError,
  type EncryptionKey,
  type EncryptionKeyRotationStep,
} from './render/encryption.ts';
export {
  ANONYMOUS_PATHS,
  authenticationConfiguration,
  type JwtAuthenticator,
  type JwtClaimMapping,
} from './render/authentication.ts';
export type { RenderConfig } from './render/render-config.ts';
export { readPlatformProgramInput, RenderedAssetsError, type PlatformProgramInput } from './render/platform-input.ts';
export * from './config/index.ts';
export * from './ignition/index.ts';
export * from './snippets/index.ts';
export * from './manifests/index.ts';
export { UPDATE_AGENT_HOST_PATHS, updateAgentHostFiles } from './render/catalog/update-agent-host.ts';
export { NODE_IMAGE_SANDBOX_IMAGE, REGISTRY_HOSTS_DIR } from './render/catalog/container-runtime.ts';
export {
  clusterUpdateServerUrl,
  DEFAULT_LOCAL_OS_VERSIONS,
  LOCAL_PAYLOAD_PORT,
  localPayloadBaseUrl,
  UPDATE_SERVER_PORT,
  updateServerDefaults,
} from './render/catalog/node-files.ts';
export {
  clusterConsoleUrl,
  consoleController,
  consoleDeployed,
  consoleServingSans,
  CONSOLE_ASSET_IDS,
} from './render/catalog/console.ts';
