// The public entry point of @strata/assets. Other packages import only from here
// (and from '@strata/assets/binaries').
export { StrataError } from './errors/strata-error.ts';
export { ComponentExitedError, logTail, ManagedProcess, type ExitStatus, type ProcessSpec } from './process/managed-process.ts';
export { ComponentNotReadyError, httpsGet, waitUntilHealthy, type ClientTls, type HttpAnswer } from './process/health.ts';
export { runCommand, type CommandResult, type RunCommandOptions } from './process/run-command.ts';
export { PUBLIC_FILE_MODE, SECRET_FILE_MODE, writeFileAtomic } from './fs/atomic-write.ts';
export * from './pki/index.ts';
export { renderKubeconfig, writeKubeconfig, type KubeconfigInput } from './kubeconfig/kubeconfig.ts';
export { containsAddress, formatAddress, formatCidr, lastAddress, nthAddress, overlaps, parseAddress, parseCidr, type Cidr, type IpFamily } from './net/cidr.ts';
export { clusterTopology, type ClusterTopology, type ControllerNode, type WorkerNode } from './topology/topology.ts';
export { applyRenderPlan, planClusterRender, renderInput, clusterAssets, RenderTargetError } from './render/render.ts';
export { HandEditedFilesError, AssetGraphError, type RenderPlan } from './render/engine.ts';
export { ASSET_PATHS, CERT, KEY, NODE_PATHS } from './render/layout.ts';
export { materializeIgnition, readEnvironmentFile, remapFlags, staticPodCommand } from './render/local-node.ts';
export type { RenderConfig } from './render/render-config.ts';
export * from './config/index.ts';
export * from './ignition/index.ts';
export * from './manifests/index.ts';
export * from './os/index.ts';
export { withLockFile, type LockHolder, type LockOptions } from './fs/lock-file.ts';
