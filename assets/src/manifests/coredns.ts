import type { KubernetesObject, V1PolicyRule, V1ConfigMap, V1Deployment, V1Service } from '@kubernetes/client-node';
import type { BootstrapImages } from './images.ts';
import type { ManifestInputs } from './inputs.ts';
import { serviceIpFamilies } from './ip-families.ts';
import { splitCidrList } from '../net/cidr.ts';
import { KUBE_SYSTEM, kubeSystemServiceAccount, linuxNodes } from './node-agents.ts';
import { clusterRole, clusterRoleBinding, serviceAccountSubject } from './rbac.ts';
import { nonrootPodSecurityContext } from './pod-security.ts';

const NAME = 'coredns';
// kube-dns is the name and label clients and tools look for, whichever DNS server answers.
const SERVICE = 'kube-dns';
const POD_LABELS = { 'k8s-app': SERVICE };

/** The Corefile kubeadm deploys, for this cluster's domain. */
export function corefile(clusterDomain: string): string {
  return `.:53 {
    errors
    health {
        lameduck 5s
    }
    ready
    kubernetes ${clusterDomain} in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
        max_concurrent 1000
    }
    cache 30
    loop
    reload
    loadbalance
}
`;
}

const ROLE_RULES: V1PolicyRule[] = [
  { apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'], verbs: ['list', 'watch'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
];

function deployment(images: BootstrapImages): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: NAME, namespace: KUBE_SYSTEM, labels: { ...POD_LABELS, 'kubernetes.io/name': 'CoreDNS' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: POD_LABELS },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      template: {
        metadata: { labels: POD_LABELS },
        spec: {
          priorityClassName: 'system-cluster-critical',
          serviceAccountName: NAME,
          nodeSelector: linuxNodes(),
          // Cluster DNS must come up before any worker joins, so it may run on controllers.
          tolerations: [
            { key: 'CriticalAddonsOnly', operator: 'Exists' },
            { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
          ],
          affinity: {
            // Preferred, not required: a one-node cluster still gets both replicas.
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: {
                    labelSelector: { matchLabels: POD_LABELS },
                    topologyKey: 'kubernetes.io/hostname',
                  },
                },
              ],
            },
          },
          // Upstream resolvers come from the node, not from cluster DNS itself.
          dnsPolicy: 'Default',
          securityContext: nonrootPodSecurityContext({ readsSecretFiles: false }),
          containers: [
            {
              name: NAME,
              image: images.coredns,
              args: ['-conf', '/etc/coredns/Corefile'],
              ports: [
                { name: 'dns', containerPort: 53, protocol: 'UDP' },
                { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
                { name: 'metrics', containerPort: 9153, protocol: 'TCP' },
              ],
              resources: { requests: { cpu: '100m', memory: '70Mi' }, limits: { memory: '170Mi' } },
              livenessProbe: {
                httpGet: { path: '/health', port: 8080, scheme: 'HTTP' },
                initialDelaySeconds: 60,
                timeoutSeconds: 5,
                successThreshold: 1,
                failureThreshold: 5,
              },
              readinessProbe: { httpGet: { path: '/ready', port: 8181, scheme: 'HTTP' } },
              securityContext: {
                allowPrivilegeEscalation: false,
                // Port 53 as a non-root user: the coredns binary carries NET_BIND_SERVICE as a file capability,
                // which allowPrivilegeEscalation=false honours only if the container was granted it.
                capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] },
                readOnlyRootFilesystem: true,
              },
              volumeMounts: [{ name: 'config-volume', mountPath: '/etc/coredns', readOnly: true }],
            },
          ],
          volumes: [
            { name: 'config-volume', configMap: { name: NAME, items: [{ key: 'Corefile', path: 'Corefile' }] } },
          ],
        },
      },
    },
  };
}

function service(inputs: ManifestInputs): V1Service {
  const clusterIPs = splitCidrList(inputs.dnsServiceIp);
  // Dual-stack: an address of each family, and required rather than preferred, because every kubelet already
  // points pods at both; a cluster that cannot give both must refuse the Service, not quietly drop one.
  const dualStack =
    clusterIPs.length > 1
      ? { clusterIPs, ipFamilies: serviceIpFamilies(inputs), ipFamilyPolicy: 'RequireDualStack' }
      : {};
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: SERVICE,
      namespace: KUBE_SYSTEM,
      labels: { ...POD_LABELS, 'kubernetes.io/name': 'CoreDNS' },
      annotations: { 'prometheus.io/port': '9153', 'prometheus.io/scrape': 'true' },
    },
    spec: {
      selector: POD_LABELS,
      // Fixed, because every kubelet is configured with it as clusterDNS before the Service exists.
      clusterIP: clusterIPs[0] ?? inputs.dnsServiceIp,
      ...dualStack,
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        { name: 'metrics', port: 9153, protocol: 'TCP' },
      ],
    },
  };
}

/** Cluster DNS for clusterDomain, answering at dnsServiceIp (an address per IP family when dual-stack). */
export function coredns(inputs: ManifestInputs, images: BootstrapImages): KubernetesObject[] {
  const serviceAccount = kubeSystemServiceAccount(NAME);
  const configMap: V1ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: NAME, namespace: KUBE_SYSTEM },
    data: { Corefile: corefile(inputs.clusterDomain) },
  };
  return [
    serviceAccount,
    clusterRole(`strata:${NAME}`, ROLE_RULES),
    clusterRoleBinding(`strata:${NAME}`, `strata:${NAME}`, [serviceAccountSubject(NAME, KUBE_SYSTEM)]),
    configMap,
    deployment(images),
    service(inputs),
  ];
}
