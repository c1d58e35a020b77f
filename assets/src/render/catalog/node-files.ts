import { isIP } from 'node:net';
import { stringify } from 'yaml';
import { HOST_FILES, StrataError, UPDATE_CHANNEL_NAMES } from '@strata/api';
import { isSimulatedPayloadVersion, simulatedReleaseSpec } from '@strata/omaha';
import type { UpdateServerDefaults } from '../../manifests/update-server/defaults.ts';
import { nthAddresses } from '../../net/cidr.ts';
import type { ControllerNode, WorkerNode } from '../../topology/topology.ts';
import type { RenderConfig } from '../render-config.ts';
import { NODE_PATHS } from '../layout.ts';
import { NONROOT_ID } from '../../manifests/pod-security.ts';

/** A file Ignition writes on a node. */
export interface NodeFile {
  readonly path: string;
  readonly contents: string;
  readonly mode: number;
}

export interface NodeUnit {
  readonly name: string;
  readonly contents?: string;
  readonly enabled?: boolean;
  readonly mask?: boolean;
  readonly dropins?: readonly { readonly name: string; readonly contents: string }[];
}

/** A file Ignition fetches at first boot instead of embedding. */
export interface RemoteNodeFile {
  readonly path: string;
  readonly source: string;
  readonly mode: number;
  /** "sha512-<hex>": Ignition refuses contents that do not match. */
  readonly hash?: string;
}

export interface NodeSystem {
  readonly files: NodeFile[];
  readonly remoteFiles: RemoteNodeFile[];
  readonly links: { readonly path: string; readonly target: string }[];
  readonly units: NodeUnit[];
  /** Directories made with their owner, for a program that runs as its own user. */
  readonly directories?: NodeDirectory[];
}

export interface NodeDirectory {
  readonly path: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

/**
 * The cluster DNS Service's addresses: the tenth of each service range, as Typhoon and kubeadm use, one per IP
 * family in the order of the ranges.
 */
export const dnsServiceIps = (config: RenderConfig) => nthAddresses(config.networking.serviceCidr, 10);

/**
 * Flatcar's sysext-bakery image of the kubelet (see ADR 0005): the kubelet as
 * a systemd system extension, merged into /usr at boot.
 */
export function kubernetesSysextUrl(version: string): string {
  return `https://extensions.flatcar.org/extensions/kubernetes-${version}-x86-64.raw`;
}

export function kubeletConfiguration(config: RenderConfig, node: ControllerNode | WorkerNode): string {
  return stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: NODE_PATHS.clusterCaCert },
    },
    authorization: { mode: 'Webhook' },
    cgroupDriver: 'systemd',
    clusterDNS: dnsServiceIps(config),
    clusterDomain: config.networking.clusterDomain,
    containerRuntimeEndpoint: 'unix:///run/containerd/containerd.sock',
    readOnlyPort: 0,
    resolvConf: '/run/systemd/resolve/resolv.conf',
    rotateCertificates: true,
    // The serving certificate comes from the cluster CA through a kubelet-serving CSR, which the join approver
    // approves for this Node's own names and addresses only; kube-apiserver verifies it (--kubelet-certificate-authority).
    serverTLSBootstrap: true,
    // Graceful node shutdown: pods get time to stop when the update operator reboots the node.
    shutdownGracePeriod: '45s',
    shutdownGracePeriodCriticalPods: '15s',
    tlsMinVersion: 'VersionTLS12',
    ...(node.role === 'controller' ? { staticPodPath: NODE_PATHS.staticPodDir } : {}),
    ...(node.taints.length > 0
      ? {
          registerWithTaints: node.taints.map((t) => ({
            key: t.key,
            ...(t.value === undefined ? {} : { value: t.value }),
            effect: t.effect,
          })),
        }
      : {}),
  });
}

export function kubeletUnit(node: ControllerNode | WorkerNode): NodeUnit {
  const labels = Object.entries(node.labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
  const args = [
    `--bootstrap-kubeconfig=${NODE_PATHS.bootstrapKubeconfig}`,
    `--kubeconfig=${NODE_PATHS.kubeletKubeconfig}`,
    `--config=${NODE_PATHS.kubeletConfig}`,
    ...(labels === '' ? [] : [`--node-labels=${labels}`]),
    // A pool's shared config leaves the name to the cloud's hostname.
    ...(node.role === 'worker' && node.sharedByPool ? [] : [`--hostname-override=${node.name}`]),
  ];
  return {
    name: 'kubelet.service',
    enabled: true,
    contents: [
      '[Unit]',
      'Description=Kubernetes kubelet',
      'Documentation=https://kubernetes.io/docs/reference/command-line-tools-reference/kubelet/',
      'Wants=network-online.target containerd.service',
      'After=network-online.target containerd.service systemd-sysext.service',
      'ConditionPathExists=/usr/bin/kubelet',
      '',
      '[Service]',
      `ExecStartPre=/usr/bin/mkdir -p ${NODE_PATHS.staticPodDir} /var/lib/kubelet`,
      `ExecStart=/usr/bin/kubelet ${args.join(' \\\n  ')}`,
      'Restart=always',
      'RestartSec=5',
      '',
      '[Install]',
      'WantedBy=multi-user.target',
      '',
    ].join('\n'),
  };
}

export function etcdEnvironment(
  config: RenderConfig,
  controllers: readonly ControllerNode[],
  controller: ControllerNode,
): string {
  const tls = NODE_PATHS.etcdTlsDir;
  const listen = controller.bindAddress;
  // Metrics are plain HTTP without authentication: only this host may read
  // them. A local controller's own loopback alias is loopback already.
  const metricsHost = listen.startsWith('127.') ? listen : '127.0.0.1';
  const vars: Record<string, string> = {
    ETCD_NAME: controller.name,
    ETCD_DATA_DIR: NODE_PATHS.etcdDataDir,
    ETCD_ADVERTISE_CLIENT_URLS: `https://${controller.etcdHost}:2379`,
    ETCD_INITIAL_ADVERTISE_PEER_URLS: `https://${controller.etcdHost}:2380`,
    ETCD_LISTEN_CLIENT_URLS: `https://${listen}:2379`,
    ETCD_LISTEN_PEER_URLS: `https://${listen}:2380`,
    ETCD_LISTEN_METRICS_URLS: `http://${metricsHost}:2381`,
    ETCD_INITIAL_CLUSTER: controllers.map((c) => `${c.name}=https://${c.etcdHost}:2380`).join(','),
    ETCD_INITIAL_CLUSTER_STATE: 'new',
    ETCD_INITIAL_CLUSTER_TOKEN: config.name,
    ETCD_STRICT_RECONFIG_CHECK: 'true',
    ETCD_QUOTA_BACKEND_BYTES: String(config.etcd.quotaBackendBytes),
    ETCD_TRUSTED_CA_FILE: `${tls}/ca.crt`,
    ETCD_CERT_FILE: `${tls}/server.crt`,
    ETCD_KEY_FILE: `${tls}/server.key`,
    ETCD_CLIENT_CERT_AUTH: 'true',
    ETCD_PEER_TRUSTED_CA_FILE: `${tls}/ca.crt`,
    ETCD_PEER_CERT_FILE: `${tls}/peer.crt`,
    ETCD_PEER_KEY_FILE: `${tls}/peer.key`,
    ETCD_PEER_CLIENT_CERT_AUTH: 'true',
  };
  return Object.entries(vars)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')
    .concat('\n');
}

export const ETCD_IMAGE = (version: string) => `quay.io/coreos/etcd:${version}`;

/**
 * A controller's etcd member: on Strata's node image the image's own etcd (the control plane's pinned build) under
 * systemd; on Flatcar and Fedora CoreOS etcd's image under docker, as Container Linux ran etcd-member.
 */
export function etcdUnit(config: RenderConfig, etcdVersion: string): NodeUnit {
  return config.os.name === 'strata' ? nodeImageEtcdUnit() : containerEtcdUnit(etcdVersion);
}

/** The unit both run in: what they need first, and their own [Service] lines before the common ones. */
function etcdMemberUnit(dependencies: string, service: readonly string[]): NodeUnit {
  return {
    name: 'etcd-member.service',
    enabled: true,
    contents: [
      '[Unit]',
      'Description=etcd member of the Strata control plane',
      `Wants=${dependencies}`,
      `After=${dependencies}`,
      '',
      '[Service]',
      ...service,
      'Restart=always',
      'RestartSec=10',
      'TimeoutStartSec=0',
      'LimitNOFILE=40000',
      '',
      '[Install]',
      'WantedBy=multi-user.target',
      '',
    ].join('\n'),
  };
}

function nodeImageEtcdUnit(): NodeUnit {
  return etcdMemberUnit('network-online.target', [
    'Type=notify',
    `ExecStartPre=/usr/bin/mkdir -p ${NODE_PATHS.etcdDataDir}`,
    `ExecStartPre=/usr/bin/chmod 0700 ${NODE_PATHS.etcdDataDir}`,
    `EnvironmentFile=${NODE_PATHS.etcdEnv}`,
    'ExecStart=/usr/bin/etcd',
  ]);
}

function containerEtcdUnit(etcdVersion: string): NodeUnit {
  const tls = NODE_PATHS.etcdTlsDir;
  return etcdMemberUnit('network-online.target docker.service', [
    `ExecStartPre=/usr/bin/mkdir -p ${NODE_PATHS.etcdDataDir}`,
    '-ExecStartPre=/usr/bin/docker rm -f etcd',
    [
      'ExecStart=/usr/bin/docker run --name etcd --network host',
      `--env-file ${NODE_PATHS.etcdEnv}`,
      `-v ${NODE_PATHS.etcdDataDir}:${NODE_PATHS.etcdDataDir}:rw,Z`,
      `-v ${tls}:${tls}:ro,Z`,
      ETCD_IMAGE(etcdVersion),
    ].join(' \\\n  '),
    'ExecStop=/usr/bin/docker stop etcd',
  ]);
}

export const KERNEL_MODULES = 'br_netfilter\noverlay\n';
export const SYSCTLS = [
  '# Pod traffic is routed and bridged through the node (flannel, kube-proxy).',
  'net.ipv4.ip_forward = 1',
  'net.ipv6.conf.all.forwarding = 1',
  'net.bridge.bridge-nf-call-iptables = 1',
  'net.bridge.bridge-nf-call-ip6tables = 1',
  '',
].join('\n');

/**
 * Where Fedora CoreOS's Zincati asks for a reboot slot: a host port of the controllers (the API's DNS name), where
 * the update operator's replicas serve FleetLock and see each request's source address unchanged.
 */
export const FLEETLOCK_PORT = 30778;

/**
 * Where a Fedora CoreOS node keeps the cluster CA among its system trust anchors, so that Zincati (which trusts the
 * system store, and has no CA option of its own) accepts the FleetLock server's certificate. The OS's
 * coreos-update-ca-trust.service runs update-ca-trust at boot, after Ignition has written the file.
 */
export const FLEETLOCK_TRUST_ANCHOR = '/etc/pki/ca-trust/source/anchors/strata-cluster-ca.pem';

/**
 * Where update_engine on Flatcar nodes asks the cluster's own update server (Omaha and its JSON API): a host port of
 * the one controller the server's replica is pinned to (ADR 0048), beside FleetLock's.
 */
export const UPDATE_SERVER_PORT = 30779;

/**
 * Where a Flatcar node keeps the cluster CA among its system trust anchors, so that update_engine (which trusts
 * /etc/ssl/certs, and has no CA option of its own) accepts the update server's certificate. Flatcar's
 * update-ca-certificates.service links it into the store at boot, after Ignition has written the file.
 */
export const UPDATE_SERVER_TRUST_ANCHOR = '/etc/ssl/certs/strata-cluster-ca.pem';

export class UpdateServerPlacementError extends StrataError {}

/**
 * The update server's data on the controller it is pinned to: a `local` PersistentVolume's directory, made by
 * Ignition and owned by the server's non-root user (the distroless image's `nonroot`), so that no StorageClass and
 * no provisioner are needed on any platform.
 */
export const UPDATE_SERVER_DATA_DIR: NodeDirectory = {
  path: '/var/lib/strata-update-server',
  mode: 0o700,
  uid: NONROOT_ID,
  gid: NONROOT_ID,
};

/** The controller the update server's one replica runs on: the first, whose etcdHost every machine can resolve. */
export function updateServerController<T extends Pick<ControllerNode, 'name' | 'etcdHost' | 'address'>>(topology: {
  readonly controllers: readonly T[];
}): T {
  const [first] = topology.controllers;
  if (first === undefined)
    throw new UpdateServerPlacementError('the update server runs on a controller, and this topology has none', {});
  return first;
}

/** update_engine's SERVER= for the cluster's own update server: https, its endpoint, ending in '/'. */
export function clusterUpdateServerUrl(topology: {
  readonly controllers: readonly Pick<ControllerNode, 'name' | 'etcdHost' | 'address'>[];
}): string {
  const host = updateServerController(topology).etcdHost;
  return `https://${isIP(host) === 6 ? `[${host}]` : host}:${UPDATE_SERVER_PORT}/v1/update/`;
}

/**
 * The local platform's simulated payload server (the `strata up` process), on the update server's controller
 * address: it serves every version's simulated payload, over plain HTTP (update_engine verifies the sha256 the
 * server's HTTPS answer carries).
 */
export const LOCAL_PAYLOAD_PORT = 30780;

/** The OS a local node boots when the config pins no version. */
export const DEFAULT_LOCAL_OS_VERSIONS = { flatcar: '4230.2.3', 'fedora-coreos': '42.20250901.3.0' } as const;

/** The base URL of the local platform's simulated payloads: `<base><version>/flatcar_production_update.gz`. */
export function localPayloadBaseUrl(topology: {
  readonly controllers: readonly Pick<ControllerNode, 'name' | 'etcdHost' | 'address'>[];
}): string {
  const host = updateServerController(topology).etcdHost;
  return `http://${isIP(host) === 6 ? `[${host}]` : host}:${LOCAL_PAYLOAD_PORT}/flatcar/`;
}

/**
 * The update server's default configuration (ADR 0055): one UpdateGroup per track the Flatcar nodes' update.conf
 * names, following the channel of that name (or os.channel for a track of the user's, such as a canary pool's), and
 * on the local platform the release of the simulated OS the nodes boot. Strata's node image asks it as Flatcar does;
 * Fedora CoreOS nodes do not ask it: none.
 */
export function updateServerDefaults(
  config: RenderConfig,
  topology: {
    readonly platform: string;
    readonly controllers: readonly Pick<ControllerNode, 'name' | 'etcdHost' | 'address'>[];
    readonly workers: readonly { readonly role: 'worker'; readonly pool: string }[];
  },
): UpdateServerDefaults | undefined {
  if (config.os.name === 'fedora-coreos') return undefined;
  const channels: readonly string[] = UPDATE_CHANNEL_NAMES;
  const tracks = [
    updateGroupOf(config, { role: 'controller' }),
    ...topology.workers.map((worker) => updateGroupOf(config, worker)),
  ];
  const groups = tracks.map((track) => ({ track, channel: channels.includes(track) ? track : config.os.channel }));
  if (topology.platform !== 'local') return { groups };
  const base = localPayloadBaseUrl(topology);
  const version = config.os.version ?? DEFAULT_LOCAL_OS_VERSIONS.flatcar;
  // A pinned build with a suffix (3340.0.0+nightly…) has no simulated payload path: its release is the user's to add.
  if (!isSimulatedPayloadVersion(version)) return { groups };
  return { groups, release: { ...simulatedReleaseSpec(base, version), simulatedPayloads: base } };
}

/** FleetLock goes over HTTPS with the rendered serving certificate unless the config explicitly allows plain HTTP. */
export function fleetLockOverTls(config: RenderConfig): boolean {
  return config.updates.fleetLock?.allowPlainHttp !== true;
}

/** What Zincati asks. */
export function fleetLockBaseUrl(config: RenderConfig, apiDnsName: string): string {
  const scheme = fleetLockOverTls(config) ? 'https' : 'http';
  return `${scheme}://${apiDnsName}:${FLEETLOCK_PORT}/`;
}

/** A worker's pool may name its own update group (a canary pool); every other machine is in the cluster's. */
export function updateGroupOf(config: RenderConfig, node: { readonly role: string; readonly pool?: string }): string {
  const pool = node.role === 'worker' ? config.workerPools.find((each) => each.name === node.pool) : undefined;
  return pool?.updateGroup ?? config.updates.group ?? config.os.channel;
}

export function updateSettings(
  config: RenderConfig,
  topology: {
    readonly apiDnsName: string;
    readonly controllers: readonly Pick<ControllerNode, 'name' | 'etcdHost' | 'address'>[];
  },
  clusterCaPem: string,
  node: { readonly role: string; readonly pool?: string } = { role: 'controller' },
): { files: NodeFile[]; units: NodeUnit[] } {
  const group = updateGroupOf(config, node);
  // Strata's node image runs an update_engine of its own that reads Flatcar's update.conf and trust store.
  if (config.os.name === 'flatcar' || config.os.name === 'strata') {
    // The cluster's own update server unless the config names another (the OS vendor's public one, say).
    const ownServer = config.updates.server === undefined;
    const lines = [`GROUP=${group}`, `SERVER=${config.updates.server ?? clusterUpdateServerUrl(topology)}`];
    // The update operator decides when to reboot; locksmith must not reboot on its own.
    lines.push('REBOOT_STRATEGY=off');
    return {
      files: [
        { path: HOST_FILES.updateConf, contents: lines.join('\n') + '\n', mode: 0o644 },
        ...(ownServer ? [{ path: UPDATE_SERVER_TRUST_ANCHOR, contents: clusterCaPem, mode: 0o644 }] : []),
      ],
      // The node image has no locksmith.
      units: config.os.name === 'flatcar' ? [{ name: 'locksmithd.service', mask: true }] : [],
    };
  }
  const strategy =
    config.updates.rebootStrategy === 'operator'
      ? [
          '[updates]',
          'strategy = "fleet_lock"',
          '',
          '[updates.fleet_lock]',
          `base_url = "${fleetLockBaseUrl(config, topology.apiDnsName)}"`,
        ]
      : ['[updates]', 'enabled = false'];
  const overTls = config.updates.rebootStrategy === 'operator' && fleetLockOverTls(config);
  return {
    files: [
      { path: '/etc/zincati/config.d/55-strata-updates.toml', contents: strategy.join('\n') + '\n', mode: 0o644 },
      ...(overTls ? [{ path: FLEETLOCK_TRUST_ANCHOR, contents: clusterCaPem, mode: 0o644 }] : []),
    ],
    units: [],
  };
}

export function proxyEnvironment(config: RenderConfig): NodeFile[] {
  const proxy = config.proxy;
  if (proxy === undefined || (proxy.httpProxy === undefined && proxy.httpsProxy === undefined)) return [];
  const vars: string[] = [];
  for (const [name, value] of [
    ['HTTP_PROXY', proxy.httpProxy],
    ['HTTPS_PROXY', proxy.httpsProxy],
    ['NO_PROXY', proxy.noProxy?.join(',')],
  ] as const) {
    if (value !== undefined && value !== '') vars.push(`"${name}=${value}"`, `"${name.toLowerCase()}=${value}"`);
  }
  // Every systemd service (containerd pulling images, update_engine, the kubelet) sees the proxy.
  return [
    {
      path: '/etc/systemd/system.conf.d/10-strata-proxy.conf',
      contents: `[Manager]\nDefaultEnvironment=${vars.join(' ')}\n`,
      mode: 0o644,
    },
  ];
}
