import type { KubernetesObject, V1PolicyRule, V1ConfigMap, V1DaemonSet } from '@kubernetes/client-node';
import type { BootstrapImages } from './images.ts';
import type { ManifestInputs } from './inputs.ts';
import { podRanges } from './ip-families.ts';
import {
  KUBE_SYSTEM,
  apiServerEnv,
  kubeSystemServiceAccount,
  nodeAgentDaemonSet,
  xtablesLockMount,
  xtablesLockVolume,
} from './node-agents.ts';
import { clusterRole, clusterRoleBinding, serviceAccountSubject } from './rbac.ts';

const NAME = 'flannel';
const CONFIG_MAP = 'kube-flannel-cfg';
const LABELS = { 'k8s-app': 'flannel' };

/** The CNI config the kubelet's runtime reads: flannel delegates to the bridge plugin, portmap serves hostPort. */
function cniConfig(): string {
  const config = {
    name: 'cbr0',
    cniVersion: '0.3.1',
    plugins: [
      { type: 'flannel', delegate: { hairpinMode: true, isDefaultGateway: true } },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * flanneld's network config; with --kube-subnet-mgr each node's subnets come from its Node's spec.podCIDRs. One
 * network per IP family of the pod ranges: flannel then runs a VXLAN device for each and writes both families
 * into subnet.env for the CNI plugin.
 */
function netConfig(inputs: ManifestInputs): string {
  const ranges = podRanges(inputs);
  const config = {
    ...(ranges.ipv4 === undefined ? { EnableIPv4: false } : { Network: ranges.ipv4 }),
    ...(ranges.ipv6 === undefined ? {} : { EnableIPv6: true, IPv6Network: ranges.ipv6 }),
    // kube-proxy runs in iptables mode; both must use the same netfilter front end.
    EnableNFTables: false,
    Backend: { Type: 'vxlan', ...(inputs.mtu === undefined ? {} : { MTU: inputs.mtu }) },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

const ROLE_RULES: V1PolicyRule[] = [
  // Its own Pod, to learn which node it runs on.
  { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
  // Every node's spec.podCIDR and the VTEP address flannel keeps in Node annotations.
  { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
  // Its own node's annotations and NetworkUnavailable condition, written through the status subresource.
  { apiGroups: [''], resources: ['nodes/status'], verbs: ['patch'] },
];

function daemonSet(inputs: ManifestInputs, images: BootstrapImages): V1DaemonSet {
  return nodeAgentDaemonSet({
    name: 'kube-flannel',
    serviceAccountName: NAME,
    labels: LABELS,
    pod: {
      initContainers: [
        {
          name: 'install-cni-plugin',
          image: images.flannelCniPlugin,
          command: ['cp'],
          args: ['-f', '/flannel', '/opt/cni/bin/flannel'],
          volumeMounts: [{ name: 'cni-plugin', mountPath: '/opt/cni/bin' }],
        },
        {
          name: 'install-cni',
          image: images.flannel,
          command: ['cp'],
          args: ['-f', '/etc/kube-flannel/cni-conf.json', '/etc/cni/net.d/10-flannel.conflist'],
          volumeMounts: [
            { name: 'cni', mountPath: '/etc/cni/net.d' },
            { name: 'flannel-cfg', mountPath: '/etc/kube-flannel/' },
          ],
        },
      ],
      containers: [
        {
          name: 'kube-flannel',
          image: images.flannel,
          command: ['/opt/bin/flanneld'],
          args: ['--ip-masq', '--kube-subnet-mgr'],
          env: [
            ...apiServerEnv(inputs.apiServer),
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
            { name: 'EVENT_QUEUE_DEPTH', value: '5000' },
            // Exit rather than run on an unsynced node cache, which would program wrong routes.
            { name: 'CONT_WHEN_CACHE_NOT_READY', value: 'false' },
          ],
          resources: { requests: { cpu: '100m', memory: '50Mi' } },
          securityContext: { privileged: false, capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } },
          volumeMounts: [
            { name: 'run', mountPath: '/run/flannel' },
            { name: 'flannel-cfg', mountPath: '/etc/kube-flannel/' },
            xtablesLockMount(),
          ],
        },
      ],
      volumes: [
        // subnet.env, which the flannel CNI plugin reads on the host.
        { name: 'run', hostPath: { path: '/run/flannel' } },
        { name: 'cni-plugin', hostPath: { path: '/opt/cni/bin' } },
        { name: 'cni', hostPath: { path: '/etc/cni/net.d' } },
        { name: 'flannel-cfg', configMap: { name: CONFIG_MAP } },
        xtablesLockVolume(),
      ],
    },
  });
}

/** The pod network: a VXLAN overlay over podCidr, one subnet per node. */
export function flannel(inputs: ManifestInputs, images: BootstrapImages): KubernetesObject[] {
  const serviceAccount = kubeSystemServiceAccount(NAME);
  const configMap: V1ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: CONFIG_MAP, namespace: KUBE_SYSTEM, labels: LABELS },
    data: { 'cni-conf.json': cniConfig(), 'net-conf.json': netConfig(inputs) },
  };
  return [
    serviceAccount,
    clusterRole(`strata:${NAME}`, ROLE_RULES),
    clusterRoleBinding(`strata:${NAME}`, `strata:${NAME}`, [serviceAccountSubject(NAME, KUBE_SYSTEM)]),
    configMap,
    daemonSet(inputs, images),
  ];
}
