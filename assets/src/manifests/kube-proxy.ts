import type { KubernetesObject, V1ConfigMap, V1DaemonSet } from '@kubernetes/client-node';
import { stringify } from 'yaml';
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
import { clusterRoleBinding, serviceAccountSubject } from './rbac.ts';

const NAME = 'kube-proxy';
const LABELS = { 'k8s-app': 'kube-proxy' };
const CONFIG_DIR = '/var/lib/kube-proxy';
const CONFIG_KEY = 'config.conf';
const HEALTHZ_PORT = 10256;

/** The fields of kubeproxy.config.k8s.io/v1alpha1 KubeProxyConfiguration that Strata sets. */
interface KubeProxyConfiguration {
  readonly apiVersion: 'kubeproxy.config.k8s.io/v1alpha1';
  readonly kind: 'KubeProxyConfiguration';
  readonly clusterCIDR: string;
  readonly mode: 'iptables';
  readonly metricsBindAddress: string;
  readonly healthzBindAddress: string;
}

function configuration(inputs: ManifestInputs): string {
  // The wildcard of the nodes' family: an IPv6-only node has no IPv4 address to listen on.
  const everywhere = podRanges(inputs).ipv4 === undefined ? '[::]' : '0.0.0.0';
  const config: KubeProxyConfiguration = {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    // Tells pod traffic from outside traffic: only the latter is masqueraded. Dual-stack: both ranges,
    // comma-separated; kube-proxy then programs iptables and ip6tables.
    clusterCIDR: inputs.podCidr,
    mode: 'iptables',
    // All interfaces, so that Prometheus on another node can scrape it.
    metricsBindAddress: `${everywhere}:10249`,
    healthzBindAddress: `${everywhere}:${HEALTHZ_PORT}`,
  };
  // No clientConnection.kubeconfig: kube-proxy then uses its service account, reaching the API server through
  // KUBERNETES_SERVICE_HOST/PORT.
  return stringify(config);
}

function daemonSet(inputs: ManifestInputs, images: BootstrapImages): V1DaemonSet {
  return nodeAgentDaemonSet({
    name: NAME,
    serviceAccountName: NAME,
    labels: LABELS,
    pod: {
      containers: [
        {
          name: NAME,
          image: images.kubeProxy,
          command: [
            '/usr/local/bin/kube-proxy',
            `--config=${CONFIG_DIR}/${CONFIG_KEY}`,
            // The only per-node setting; kube-proxy applies this flag on top of the config file.
            '--hostname-override=$(NODE_NAME)',
          ],
          env: [
            ...apiServerEnv(inputs.apiServer),
            { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
          ],
          // /livez, unlike /healthz, does not fail while the node is being drained for deletion.
          livenessProbe: {
            httpGet: { path: '/livez', port: HEALTHZ_PORT, scheme: 'HTTP' },
            initialDelaySeconds: 15,
            timeoutSeconds: 15,
          },
          // It rewrites the node's netfilter rules and loads kernel modules.
          securityContext: { privileged: true },
          volumeMounts: [
            { name: NAME, mountPath: CONFIG_DIR, readOnly: true },
            xtablesLockMount(),
            { name: 'lib-modules', mountPath: '/lib/modules', readOnly: true },
          ],
        },
      ],
      volumes: [
        { name: NAME, configMap: { name: NAME } },
        xtablesLockVolume(),
        { name: 'lib-modules', hostPath: { path: '/lib/modules' } },
      ],
    },
  });
}

/** Service routing: programs each node's iptables with the cluster's Services. */
export function kubeProxy(inputs: ManifestInputs, images: BootstrapImages): KubernetesObject[] {
  const serviceAccount = kubeSystemServiceAccount(NAME);
  const configMap: V1ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: NAME, namespace: KUBE_SYSTEM, labels: LABELS },
    data: { [CONFIG_KEY]: configuration(inputs) },
  };
  return [
    serviceAccount,
    // system:node-proxier is the built-in role with exactly what kube-proxy reads and writes.
    clusterRoleBinding('strata:node-proxier', 'system:node-proxier', [serviceAccountSubject(NAME, KUBE_SYSTEM)]),
    configMap,
    daemonSet(inputs, images),
  ];
}
