import type { V1Pod, V1Container, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { PUBLIC_FILE_MODE } from '@strata/host';
import type { ControllerNode } from '../../topology/topology.ts';
import type { AssetDefinition, RenderedFile } from '../asset.ts';
import { ASSET_PATHS, CERT, KEY, NODE_PATHS } from '../layout.ts';
import type { RenderInput } from '../render-input.ts';
import { parseCidr, splitCidrList } from '../../net/cidr.ts';
import { NODE_POD_SUBNET_PREFIX } from '../../config/network-ranges.ts';
import { JOIN_APPROVER_IMAGE } from '../../manifests/images.ts';
import { JOIN_APPROVER_NAMES } from '../../manifests/join-approver/names.ts';

export const STATIC_POD_COMPONENTS = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'join-approver',
] as const;
export type StaticPodComponent = (typeof STATIC_POD_COMPONENTS)[number];

export const staticPodsAssetId = (node: string) => `static-manifests/${node}`;

const CONTROLLER_MANAGER_PORT = 10257;
const SCHEDULER_PORT = 10259;

const image = (component: StaticPodComponent, version: string) =>
  component === 'join-approver' ? JOIN_APPROVER_IMAGE : `registry.k8s.io/${component}:${version}`;

const hostPathVolumes: { name: string; path: string; readOnly: boolean }[] = [
  { name: 'kubernetes', path: NODE_PATHS.kubernetesDir, readOnly: true },
  { name: 'ca-certificates', path: '/etc/ssl/certs', readOnly: true },
];

function volumes(extra: { name: string; path: string; readOnly: boolean }[] = []): {
  volumes: V1Volume[];
  mounts: V1VolumeMount[];
} {
  const all = [...hostPathVolumes, ...extra];
  return {
    volumes: all.map((v) => ({ name: v.name, hostPath: { path: v.path, type: 'DirectoryOrCreate' } })),
    mounts: all.map((v) => ({ name: v.name, mountPath: v.path, readOnly: v.readOnly })),
  };
}

/** Flags in `--name=value` form, sorted by name so the manifest is stable and easy to diff. */
function flags(values: Record<string, string | number | boolean>): string[] {
  return Object.keys(values)
    .sort()
    .map((name) => `--${name}=${String(values[name])}`);
}

function staticPod(
  component: StaticPodComponent,
  version: string,
  container: Omit<V1Container, 'name' | 'image'>,
  extraVolumes?: { name: string; path: string; readOnly: boolean }[],
): V1Pod {
  const { volumes: podVolumes, mounts } = volumes(extraVolumes);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: component,
      namespace: 'kube-system',
      labels: { component, tier: 'control-plane', 'app.kubernetes.io/part-of': 'strata' },
    },
    spec: {
      hostNetwork: true,
      priorityClassName: 'system-node-critical',
      priority: 2000001000,
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: component,
          image: image(component, version),
          imagePullPolicy: 'IfNotPresent',
          volumeMounts: mounts,
          ...container,
        },
      ],
      volumes: podVolumes,
    },
  };
}

/** Probes go where the component listens; a wildcard bind is probed on loopback. */
const probeHost = (controller: ControllerNode) =>
  controller.bindAddress === '0.0.0.0' ? '127.0.0.1' : controller.bindAddress;

function httpsProbe(host: string, port: number, path: string) {
  return {
    httpGet: { host, port, path, scheme: 'HTTPS' },
    initialDelaySeconds: 10,
    periodSeconds: 10,
    timeoutSeconds: 15,
    failureThreshold: 8,
  };
}

export function kubeApiserverPod(input: RenderInput, controller: ControllerNode): V1Pod {
  const { config, topology } = input;
  const pki = NODE_PATHS;
  const args = flags({
    'advertise-address': controller.address ?? '',
    'allow-privileged': true,
    // Anonymous requests reach the health endpoints only; never with --anonymous-auth, which conflicts.
    'authentication-config': pki.authenticationConfig,
    'authorization-mode': 'Node,RBAC',
    'bind-address': controller.bindAddress,
    'client-ca-file': pki.clusterCaCert,
    'enable-admission-plugins': 'NodeRestriction',
    'enable-bootstrap-token-auth': true,
    'encryption-provider-config': pki.encryptionConfig,
    // A key rotation replaces the file on every controller; each server picks it up without a restart.
    'encryption-provider-config-automatic-reload': true,
    'etcd-cafile': pki.etcdCaCertForApiserver,
    'etcd-certfile': CERT(pki.apiserverEtcdClient),
    'etcd-keyfile': KEY(pki.apiserverEtcdClient),
    'etcd-servers': topology.controllers.map((c) => `https://${c.etcdHost}:2379`).join(','),
    // Kubelets serve with certificates the cluster CA signed for their own names (serverTLSBootstrap): verify them.
    'kubelet-certificate-authority': pki.clusterCaCert,
    'kubelet-client-certificate': CERT(pki.apiserverKubeletClient),
    'kubelet-client-key': KEY(pki.apiserverKubeletClient),
    'kubelet-preferred-address-types': 'InternalIP,ExternalIP,Hostname',
    profiling: false,
    'proxy-client-cert-file': CERT(pki.frontProxyClient),
    'proxy-client-key-file': KEY(pki.frontProxyClient),
    'requestheader-allowed-names': 'front-proxy-client',
    'requestheader-client-ca-file': pki.frontProxyCaCert,
    'requestheader-extra-headers-prefix': 'X-Remote-Extra-',
    'requestheader-group-headers': 'X-Remote-Group',
    'requestheader-username-headers': 'X-Remote-User',
    'secure-port': topology.apiServerPort,
    'service-account-issuer': `https://kubernetes.default.svc.${config.networking.clusterDomain}`,
    'service-account-key-file': pki.serviceAccountPublicKey,
    'service-account-signing-key-file': pki.serviceAccountPrivateKey,
    'service-cluster-ip-range': config.networking.serviceCidr,
    'tls-cert-file': CERT(pki.apiserver),
    'tls-min-version': 'VersionTLS12',
    'tls-private-key-file': KEY(pki.apiserver),
    // On the local platform the API server listens on loopback, which the
    // `kubernetes` Service's endpoints may not name; local pods reach the API directly.
    ...(topology.platform === 'local' ? { 'endpoint-reconciler-type': 'none' } : {}),
  }).filter((flag) => flag !== '--advertise-address=');
  return staticPod('kube-apiserver', config.kubernetesVersion, {
    command: ['kube-apiserver', ...args],
    livenessProbe: httpsProbe(probeHost(controller), topology.apiServerPort, '/livez'),
    readinessProbe: {
      ...httpsProbe(probeHost(controller), topology.apiServerPort, '/readyz'),
      failureThreshold: 3,
      periodSeconds: 1,
    },
    resources: { requests: { cpu: '250m' } },
  });
}

/**
 * The size of the pod subnet each node gets, per IP family of the pod ranges. The per-family flags, because
 * kube-controller-manager refuses the single --node-cidr-mask-size on dual-stack clusters; flannel's subnets are
 * the same size.
 */
function nodeCidrMaskSizes(podCidr: string): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const entry of splitCidrList(podCidr)) {
    const parsed = parseCidr(entry);
    if (parsed.ok) sizes[`node-cidr-mask-size-ipv${parsed.cidr.family}`] = NODE_POD_SUBNET_PREFIX[parsed.cidr.family];
  }
  return sizes;
}

export function kubeControllerManagerPod(input: RenderInput, controller: ControllerNode): V1Pod {
  const { config } = input;
  const kubeconfig = NODE_PATHS.controllerManagerKubeconfig;
  const args = flags({
    'allocate-node-cidrs': true,
    'authentication-kubeconfig': kubeconfig,
    'authorization-kubeconfig': kubeconfig,
    'bind-address': controller.bindAddress,
    'cert-dir': NODE_PATHS.controllerManagerCertDir,
    'client-ca-file': NODE_PATHS.clusterCaCert,
    'cluster-cidr': config.networking.podCidr,
    'cluster-name': config.name,
    'cluster-signing-cert-file': NODE_PATHS.clusterCaCert,
    'cluster-signing-key-file': NODE_PATHS.clusterCaKey,
    controllers: '*,bootstrapsigner,tokencleaner',
    kubeconfig,
    'leader-elect': true,
    ...nodeCidrMaskSizes(config.networking.podCidr),
    profiling: false,
    'requestheader-client-ca-file': NODE_PATHS.frontProxyCaCert,
    'root-ca-file': NODE_PATHS.clusterCaCert,
    'secure-port': CONTROLLER_MANAGER_PORT,
    'service-account-private-key-file': NODE_PATHS.serviceAccountPrivateKey,
    'service-cluster-ip-range': config.networking.serviceCidr,
    'use-service-account-credentials': true,
  });
  return staticPod(
    'kube-controller-manager',
    config.kubernetesVersion,
    {
      command: ['kube-controller-manager', ...args],
      livenessProbe: httpsProbe(probeHost(controller), CONTROLLER_MANAGER_PORT, '/healthz'),
      resources: { requests: { cpu: '200m' } },
    },
    [{ name: 'cert-dir', path: NODE_PATHS.controllerManagerCertDir, readOnly: false }],
  );
}

export function kubeSchedulerPod(input: RenderInput, controller: ControllerNode): V1Pod {
  const kubeconfig = NODE_PATHS.schedulerKubeconfig;
  const args = flags({
    'authentication-kubeconfig': kubeconfig,
    'authorization-kubeconfig': kubeconfig,
    'bind-address': controller.bindAddress,
    'cert-dir': NODE_PATHS.schedulerCertDir,
    kubeconfig,
    'leader-elect': true,
    profiling: false,
    'secure-port': SCHEDULER_PORT,
  });
  return staticPod(
    'kube-scheduler',
    input.config.kubernetesVersion,
    {
      command: ['kube-scheduler', ...args],
      livenessProbe: httpsProbe(probeHost(controller), SCHEDULER_PORT, '/healthz'),
      resources: { requests: { cpu: '100m' } },
    },
    [{ name: 'cert-dir', path: NODE_PATHS.schedulerCertDir, readOnly: false }],
  );
}

/**
 * The join approver on every controller, leader-elected: it must run before any kubelet can join, so it is a static
 * pod with a client certificate, like the scheduler, and not a Deployment that would need a joined node first.
 */
export function joinApproverPod(input: RenderInput, controller: ControllerNode): V1Pod {
  const args = flags({
    controllers: input.topology.controllers.map((node) => node.name).join(','),
    identity: controller.name,
    kubeconfig: NODE_PATHS.joinApproverKubeconfig,
  });
  const pod = staticPod(JOIN_APPROVER_NAMES.component, input.config.kubernetesVersion, {
    command: [JOIN_APPROVER_NAMES.component, ...args],
    resources: { requests: { cpu: '10m', memory: '48Mi' }, limits: { memory: '160Mi' } },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
  });
  // It reads one kubeconfig and serves nothing: a narrower mount than the control plane's whole /etc/kubernetes.
  const spec = pod.spec;
  if (spec === undefined) return pod;
  return {
    ...pod,
    spec: {
      ...spec,
      hostNetwork: true,
      volumes: [{ name: 'kubeconfig', hostPath: { path: NODE_PATHS.joinApproverKubeconfig, type: 'File' } }],
      containers: spec.containers.map((container) => ({
        ...container,
        volumeMounts: [{ name: 'kubeconfig', mountPath: NODE_PATHS.joinApproverKubeconfig, readOnly: true }],
      })),
    },
  };
}

const BUILDERS: Record<StaticPodComponent, (input: RenderInput, controller: ControllerNode) => V1Pod> = {
  'kube-apiserver': kubeApiserverPod,
  'kube-controller-manager': kubeControllerManagerPod,
  'kube-scheduler': kubeSchedulerPod,
  'join-approver': joinApproverPod,
};

/** The control plane of one controller, as the static pods its kubelet runs. */
export function staticPodAssets(input: RenderInput): AssetDefinition<RenderInput>[] {
  return input.topology.controllers.map((controller) => ({
    id: staticPodsAssetId(controller.name),
    dependsOn: [],
    // 2: --authentication-config and --encryption-provider-config. 3: the join approver.
    revision: 3,
    // Everything the pods say comes from these; certificates are referenced by path, not content.
    inputs: (i: RenderInput) => ({
      controller,
      etcd: i.topology.controllers.map((c) => c.etcdHost),
      port: i.topology.apiServerPort,
      platform: i.topology.platform,
      name: i.config.name,
      version: i.config.kubernetesVersion,
      networking: i.config.networking,
    }),
    generate: (context): RenderedFile[] =>
      STATIC_POD_COMPONENTS.map((component) => ({
        path: ASSET_PATHS.staticManifest(controller.name, component),
        contents: stringify(BUILDERS[component](context.input, controller)),
        mode: PUBLIC_FILE_MODE,
      })),
  }));
}
