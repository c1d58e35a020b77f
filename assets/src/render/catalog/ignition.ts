import { StrataError } from '@strata/api';
import { assertValidIgnition } from '../../ignition/validate.ts';
import { IgnitionBuilder } from '../../ignition/builder.ts';
import { mergeSnippets } from '../../snippets/merge.ts';
import type { TranslatedSnippet } from '../../snippets/translate.ts';
import { SECRET_FILE_MODE, PUBLIC_FILE_MODE } from '@strata/host';
import { ETCD_VERSION } from '@strata/binaries';
import type { ControllerNode, WorkerNode } from '../../topology/topology.ts';
import type { AssetContext, AssetDefinition } from '../asset.ts';
import { ASSET_PATHS, CERT, KEY, NODE_PATHS } from '../layout.ts';
import type { RenderInput } from '../render-input.ts';
import { authenticationConfiguration } from '../authentication.ts';
import { AUTH_ASSET_IDS } from './auth.ts';
import { JOIN_TOKEN_ASSET_IDS } from './join-tokens.ts';
import { PKI_ASSET_IDS } from './pki.ts';
import { STATIC_POD_COMPONENTS, staticPodsAssetId } from './static-pods.ts';
import { containerRuntime } from './container-runtime.ts';
import {
  etcdEnvironment,
  etcdUnit,
  KERNEL_MODULES,
  kubeletConfiguration,
  kubeletUnit,
  kubernetesSysextUrl,
  proxyEnvironment,
  SYSCTLS,
  updateSettings,
  clusterUpdateServerUrl,
  UPDATE_SERVER_DATA_DIR,
  updateServerController,
  type NodeSystem,
} from './node-files.ts';
import { metadataBlockSystem } from './metadata-block.ts';
import { updateAgentHostFiles } from './update-agent-host.ts';

/** A node would download something whose hash the config does not pin. */
export class UnpinnedDownloadError extends StrataError {}

export const ignitionAssetId = (node: string) => `ignition/${node}`;

const SYSEXT_DIR = '/opt/extensions/kubernetes';

/**
 * The kubelet's system extension, pinned by its sha512. Unpinned only when the
 * config says so explicitly; on the local platform, whose nodes are simulated
 * and never download it, an unpinned extension is left out rather than
 * rendered without a hash.
 */
function kubeletSysext(input: RenderInput, path: string): Pick<NodeSystem, 'remoteFiles' | 'links'> {
  const { config } = input;
  const sha512 = config.kubernetesSysext.sha512;
  if (sha512 === undefined && !config.allowUnverifiedDownloads) {
    if (input.topology.platform === 'local') return { remoteFiles: [], links: [] };
    throw new UnpinnedDownloadError(
      `kubernetesSysext.sha512 is required on ${input.topology.platform}: nodes would download the kubelet's system extension unverified`,
      { field: 'kubernetesSysext.sha512', platform: input.topology.platform },
    );
  }
  const source = config.kubernetesSysext.url ?? kubernetesSysextUrl(config.kubernetesVersion);
  return {
    remoteFiles: [
      { path, source, mode: PUBLIC_FILE_MODE, ...(sha512 === undefined ? {} : { hash: `sha512-${sha512}` }) },
    ],
    links: [{ path: '/etc/extensions/kubernetes.raw', target: path }],
  };
}

function commonSystem(
  input: RenderInput,
  node: ControllerNode | WorkerNode,
  context: AssetContext<RenderInput>,
): NodeSystem {
  const { config } = input;
  const caPem = context.dependency(PKI_ASSET_IDS.clusterCa).contents(CERT(ASSET_PATHS.clusterCa));
  // This target's own token only: it can join this machine (or one of this pool's) and no other.
  const bootstrapKubeconfig = context
    .dependency(JOIN_TOKEN_ASSET_IDS.kubeconfig(node.name))
    .contents(ASSET_PATHS.bootstrapKubeconfig(node.name));
  const sysext = `${SYSEXT_DIR}/kubernetes-${config.kubernetesVersion}-x86-64.raw`;
  const runtime = containerRuntime(config, PUBLIC_FILE_MODE);
  const updates = updateSettings(config, input.topology, caPem, node);
  const sharedByPool = node.role === 'worker' && node.sharedByPool;
  const metadataBlock = metadataBlockSystem(input.topology.platform, config.networking.podCidr);
  return {
    files: [
      ...(sharedByPool ? [] : [{ path: '/etc/hostname', contents: `${node.name}\n`, mode: PUBLIC_FILE_MODE }]),
      { path: NODE_PATHS.clusterCaCert, contents: caPem, mode: PUBLIC_FILE_MODE },
      { path: NODE_PATHS.bootstrapKubeconfig, contents: bootstrapKubeconfig, mode: SECRET_FILE_MODE },
      { path: NODE_PATHS.kubeletConfig, contents: kubeletConfiguration(config, node), mode: PUBLIC_FILE_MODE },
      ...runtime.files,
      { path: '/etc/modules-load.d/strata-kubernetes.conf', contents: KERNEL_MODULES, mode: PUBLIC_FILE_MODE },
      { path: '/etc/sysctl.d/50-strata-kubernetes.conf', contents: SYSCTLS, mode: PUBLIC_FILE_MODE },
      ...updates.files,
      ...updateAgentHostFiles(),
      ...proxyEnvironment(config),
      ...(config.trustedCaCertificates ?? []).map((pem, index) => ({
        path: `/etc/ssl/certs/strata-trusted-${index}.pem`,
        contents: pem,
        mode: PUBLIC_FILE_MODE,
      })),
      ...metadataBlock.files,
    ],
    // Strata's node image carries the kubelet in /usr.
    ...(config.os.name === 'strata' ? { remoteFiles: [], links: [] } : kubeletSysext(input, sysext)),
    units: [kubeletUnit(node), ...runtime.units, ...updates.units, ...metadataBlock.units],
  };
}

function controllerSystem(
  input: RenderInput,
  controller: ControllerNode,
  context: AssetContext<RenderInput>,
): NodeSystem {
  const system = commonSystem(input, controller, context);
  const pem = (assetId: string, base: string, nodeBase: string) => {
    const output = context.dependency(assetId);
    return [
      { path: CERT(nodeBase), contents: output.contents(CERT(base)), mode: PUBLIC_FILE_MODE },
      { path: KEY(nodeBase), contents: output.contents(KEY(base)), mode: SECRET_FILE_MODE },
    ];
  };
  const certOnly = (assetId: string, base: string, nodePath: string) => ({
    path: nodePath,
    contents: context.dependency(assetId).contents(CERT(base)),
    mode: PUBLIC_FILE_MODE,
  });
  const serviceAccount = context.dependency(PKI_ASSET_IDS.serviceAccount);
  const staticPods = context.dependency(staticPodsAssetId(controller.name));
  const etcdTls = NODE_PATHS.etcdTlsDir;
  system.files.push(
    {
      path: NODE_PATHS.clusterCaKey,
      contents: context.dependency(PKI_ASSET_IDS.clusterCa).contents(KEY(ASSET_PATHS.clusterCa)),
      mode: SECRET_FILE_MODE,
    },
    ...pem(PKI_ASSET_IDS.apiserver, ASSET_PATHS.apiserver, NODE_PATHS.apiserver),
    ...pem(PKI_ASSET_IDS.apiserverKubeletClient, ASSET_PATHS.apiserverKubeletClient, NODE_PATHS.apiserverKubeletClient),
    ...pem(PKI_ASSET_IDS.apiserverEtcdClient, ASSET_PATHS.apiserverEtcdClient, NODE_PATHS.apiserverEtcdClient),
    certOnly(PKI_ASSET_IDS.etcdCa, ASSET_PATHS.etcdCa, NODE_PATHS.etcdCaCertForApiserver),
    certOnly(PKI_ASSET_IDS.frontProxyCa, ASSET_PATHS.frontProxyCa, NODE_PATHS.frontProxyCaCert),
    ...pem(PKI_ASSET_IDS.frontProxyClient, ASSET_PATHS.frontProxyClient, NODE_PATHS.frontProxyClient),
    {
      path: NODE_PATHS.serviceAccountPrivateKey,
      contents: serviceAccount.contents(ASSET_PATHS.serviceAccountPrivateKey),
      mode: SECRET_FILE_MODE,
    },
    {
      path: NODE_PATHS.serviceAccountPublicKey,
      contents: serviceAccount.contents(ASSET_PATHS.serviceAccountPublicKey),
      mode: PUBLIC_FILE_MODE,
    },
    {
      path: NODE_PATHS.encryptionConfig,
      contents: context.dependency(PKI_ASSET_IDS.encryptionConfig).contents(ASSET_PATHS.encryptionConfig),
      mode: SECRET_FILE_MODE,
    },
    { path: NODE_PATHS.authenticationConfig, contents: authenticationConfiguration(), mode: PUBLIC_FILE_MODE },
    {
      path: NODE_PATHS.controllerManagerKubeconfig,
      contents: context
        .dependency(AUTH_ASSET_IDS.controllerManager(controller.name))
        .contents(ASSET_PATHS.controllerManagerKubeconfig(controller.name)),
      mode: SECRET_FILE_MODE,
    },
    {
      path: NODE_PATHS.joinApproverKubeconfig,
      contents: context
        .dependency(AUTH_ASSET_IDS.joinApprover(controller.name))
        .contents(ASSET_PATHS.joinApproverKubeconfig(controller.name)),
      mode: SECRET_FILE_MODE,
    },
    {
      path: NODE_PATHS.schedulerKubeconfig,
      contents: context
        .dependency(AUTH_ASSET_IDS.scheduler(controller.name))
        .contents(ASSET_PATHS.schedulerKubeconfig(controller.name)),
      mode: SECRET_FILE_MODE,
    },
    ...STATIC_POD_COMPONENTS.map((component) => ({
      path: `${NODE_PATHS.staticPodDir}/${component}.yaml`,
      contents: staticPods.contents(ASSET_PATHS.staticManifest(controller.name, component)),
      mode: PUBLIC_FILE_MODE,
    })),
    certOnly(PKI_ASSET_IDS.etcdCa, ASSET_PATHS.etcdCa, `${etcdTls}/ca.crt`),
    ...pem(PKI_ASSET_IDS.etcdServer(controller.name), ASSET_PATHS.etcdServer(controller.name), `${etcdTls}/server`),
    ...pem(PKI_ASSET_IDS.etcdPeer(controller.name), ASSET_PATHS.etcdPeer(controller.name), `${etcdTls}/peer`),
    {
      path: NODE_PATHS.etcdEnv,
      contents: etcdEnvironment(input.config, input.topology.controllers, controller),
      mode: PUBLIC_FILE_MODE,
    },
  );
  system.units.push(etcdUnit(input.config, ETCD_VERSION));
  if (updateServerController(input.topology).name === controller.name)
    return { ...system, directories: [...(system.directories ?? []), UPDATE_SERVER_DATA_DIR] };
  return system;
}

export function buildNodeIgnition(input: RenderInput, system: NodeSystem): string {
  const builder = new IgnitionBuilder();
  builder.user({ name: 'core', sshAuthorizedKeys: input.config.sshAuthorizedKeys });
  const proxy = input.config.proxy;
  if (proxy?.httpProxy !== undefined || proxy?.httpsProxy !== undefined) {
    builder.proxy({
      ...(proxy.httpProxy === undefined ? {} : { httpProxy: proxy.httpProxy }),
      ...(proxy.httpsProxy === undefined ? {} : { httpsProxy: proxy.httpsProxy }),
      ...(proxy.noProxy === undefined ? {} : { noProxy: proxy.noProxy }),
    });
  }
  for (const pem of input.config.trustedCaCertificates ?? []) builder.certificateAuthority(pem);
  for (const file of system.files)
    builder.file({ path: file.path, contents: file.contents, mode: file.mode, overwrite: true });
  for (const file of system.remoteFiles) builder.remoteFile(file);
  for (const link of system.links) builder.link({ path: link.path, target: link.target, overwrite: true });
  for (const directory of system.directories ?? [])
    builder.directory({
      path: directory.path,
      mode: directory.mode,
      user: { id: directory.uid },
      group: { id: directory.gid },
    });
  for (const unit of system.units) builder.unit(unit);
  return builder.render();
}

/** The snippets of the node's pool: the controllers', or its worker pool's. */
function snippetsOf(input: RenderInput, node: ControllerNode | WorkerNode): readonly TranslatedSnippet[] {
  const snippets = input.snippets;
  if (snippets === undefined) return [];
  return node.role === 'controller' ? snippets.controllers : (snippets.workerPools[node.pool] ?? []);
}

/** Strata's Ignition for the node, with its pool's snippets merged in. */
function nodeIgnition(input: RenderInput, node: ControllerNode | WorkerNode, system: NodeSystem): string {
  const rendered = buildNodeIgnition(input, system);
  const snippets = snippetsOf(input, node);
  if (snippets.length === 0) return rendered;
  return JSON.stringify(mergeSnippets(assertValidIgnition(JSON.parse(rendered)), snippets, node.name));
}

function dependenciesOf(node: ControllerNode | WorkerNode): string[] {
  const common = [PKI_ASSET_IDS.clusterCa, JOIN_TOKEN_ASSET_IDS.kubeconfig(node.name)];
  if (node.role === 'worker') return common;
  return [
    ...common,
    PKI_ASSET_IDS.apiserver,
    PKI_ASSET_IDS.apiserverKubeletClient,
    PKI_ASSET_IDS.apiserverEtcdClient,
    PKI_ASSET_IDS.etcdCa,
    PKI_ASSET_IDS.frontProxyCa,
    PKI_ASSET_IDS.frontProxyClient,
    PKI_ASSET_IDS.serviceAccount,
    PKI_ASSET_IDS.encryptionConfig,
    PKI_ASSET_IDS.etcdServer(node.name),
    PKI_ASSET_IDS.etcdPeer(node.name),
    AUTH_ASSET_IDS.controllerManager(node.name),
    AUTH_ASSET_IDS.scheduler(node.name),
    AUTH_ASSET_IDS.joinApprover(node.name),
    staticPodsAssetId(node.name),
  ];
}

/** One Ignition config per controller and per worker (or per worker pool on clouds). */
export function ignitionAssets(input: RenderInput): AssetDefinition<RenderInput>[] {
  const nodes: (ControllerNode | WorkerNode)[] = [...input.topology.controllers, ...input.topology.workers];
  return nodes.map((node) => ({
    id: ignitionAssetId(node.name),
    dependsOn: dependenciesOf(node),
    // 2: the authentication config; etcd metrics on loopback. 3: the update agent's own user, D-Bus policy and polkit
    // rule. 4: its own bootstrap token, the join approver. 5: SERVER= the cluster's update server, the CA it trusts.
    revision: 5,
    inputs: (i: RenderInput) => ({
      node,
      controllers: node.role === 'controller' ? i.topology.controllers : undefined,
      // Only Zincati's FleetLock URL names the API host.
      apiDnsName: i.config.os.name === 'fedora-coreos' ? i.topology.apiDnsName : undefined,
      // update_engine's default SERVER= names the controller the update server runs on.
      updateServer: i.config.os.name === 'fedora-coreos' ? undefined : clusterUpdateServerUrl(i.topology),
      os: i.config.os,
      kubernetesVersion: i.config.kubernetesVersion,
      networking: i.config.networking,
      sshAuthorizedKeys: i.config.sshAuthorizedKeys,
      etcd: i.config.etcd,
      updates: i.config.updates,
      proxy: i.config.proxy,
      trustedCaCertificates: i.config.trustedCaCertificates,
      // Absent without mirrors, so that clusters rendered before mirrors existed keep their fingerprints.
      ...((i.config.registryMirrors ?? []).length === 0 ? {} : { registryMirrors: i.config.registryMirrors }),
      name: i.config.name,
      // What the snippets translate to, not their paths: an edit of a snippet renders the node again. Absent
      // without snippets, so that clusters rendered before snippets existed keep their fingerprints.
      ...(snippetsOf(i, node).length === 0
        ? {}
        : { snippets: snippetsOf(i, node).map((snippet) => ({ field: snippet.field, ignition: snippet.ignition })) }),
    }),
    generate: (context) => {
      const system =
        node.role === 'controller'
          ? controllerSystem(context.input, node, context)
          : commonSystem(context.input, node, context);
      return [
        {
          path: ASSET_PATHS.ignition(node.name),
          contents: nodeIgnition(context.input, node, system),
          mode: SECRET_FILE_MODE,
        },
      ];
    },
  }));
}
