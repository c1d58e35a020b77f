import type {
  V1DaemonSet,
  V1EnvVar,
  V1PodSpec,
  V1ServiceAccount,
  V1Toleration,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import type { ManifestInputs } from './inputs.ts';

// What the per-node networking agents (flannel, kube-proxy) have in common.

export const KUBE_SYSTEM = 'kube-system';

/**
 * Points in-cluster clients at the API server directly. The address the
 * kubelet injects is the `kubernetes` Service's ClusterIP, which only works
 * once kube-proxy has programmed it, and kube-proxy and flannel are what
 * program it: without this they could never start.
 */
export function apiServerEnv(apiServer: ManifestInputs['apiServer']): V1EnvVar[] {
  return [
    { name: 'KUBERNETES_SERVICE_HOST', value: apiServer.host },
    { name: 'KUBERNETES_SERVICE_PORT', value: String(apiServer.port) },
  ];
}

/** Every taint, NoExecute included: a node without its network agents never becomes usable, controllers included. */
export function tolerateEverything(): V1Toleration[] {
  return [{ operator: 'Exists' }];
}

export function linuxNodes(): Record<string, string> {
  return { 'kubernetes.io/os': 'linux' };
}

/** iptables' lock file, shared with the host so that the agents and the host never rewrite the rules at once. */
export function xtablesLockVolume(): V1Volume {
  return { name: 'xtables-lock', hostPath: { path: '/run/xtables.lock', type: 'FileOrCreate' } };
}

export function xtablesLockMount(): V1VolumeMount {
  return { name: 'xtables-lock', mountPath: '/run/xtables.lock' };
}

export function kubeSystemServiceAccount(name: string): V1ServiceAccount {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: KUBE_SYSTEM } };
}

/**
 * A per-node agent in kube-system: on the host network of every Linux node,
 * tolerating every taint, critical to the node, rolled one node at a time.
 */
export function nodeAgentDaemonSet(options: {
  readonly name: string;
  readonly serviceAccountName: string;
  readonly labels: Record<string, string>;
  readonly pod: Pick<V1PodSpec, 'initContainers' | 'containers' | 'volumes'>;
}): V1DaemonSet {
  const { name, serviceAccountName, labels, pod } = options;
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: KUBE_SYSTEM, labels },
    spec: {
      selector: { matchLabels: labels },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      template: {
        metadata: { labels },
        spec: {
          hostNetwork: true,
          priorityClassName: 'system-node-critical',
          serviceAccountName,
          nodeSelector: linuxNodes(),
          tolerations: tolerateEverything(),
          ...pod,
        },
      },
    },
  };
}
