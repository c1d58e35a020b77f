import { CONSOLE_IMAGE } from './console/console.ts';
import type { ManifestInputs } from './inputs.ts';

// Pinned images; the README records where each version was taken from. Bump them together with that record.

/** flanneld, also used by the init container that installs the CNI config. */
export const FLANNEL_IMAGE = 'ghcr.io/flannel-io/flannel:v0.28.9';
/** The `flannel` CNI plugin binary that an init container copies into /opt/cni/bin. */
export const FLANNEL_CNI_PLUGIN_IMAGE = 'ghcr.io/flannel-io/flannel-cni-plugin:v1.9.1-flannel3';
/** The CoreDNS release kubeadm v1.36 deploys. */
export const COREDNS_IMAGE = 'registry.k8s.io/coredns/coredns:v1.14.2';
/** kube-proxy is tagged with the cluster's Kubernetes version so the two never drift apart. */
export const KUBE_PROXY_IMAGE_REPOSITORY = 'registry.k8s.io/kube-proxy';
/** Strata's update operator: one image for the operator Deployment and the node agent DaemonSet; follows the package version. */
export const UPDATE_OPERATOR_IMAGE = 'ghcr.io/strata-dev/update-operator:v0.1.0';

/** Strata's etcd operator: the Deployment's replicas, and the init container of each joining etcd member. */
export const ETCD_OPERATOR_IMAGE = 'ghcr.io/strata-dev/etcd-operator:v0.1.0';

/** Strata's Omaha update server: the Deployment's one replica (`update-server run`). */
export const UPDATE_SERVER_IMAGE = 'ghcr.io/strata-dev/update-server:v0.1.0';

/** Strata's join approver, the static pod on every controller that approves each machine's first kubelet CSR. */
export const JOIN_APPROVER_IMAGE = 'ghcr.io/strata-dev/join-approver:v0.1.0';

export interface BootstrapImages {
  readonly flannel: string;
  readonly flannelCniPlugin: string;
  readonly coredns: string;
  readonly kubeProxy: string;
  readonly updateOperator: string;
  readonly etcdOperator: string;
  readonly updateServer: string;
  readonly console: string;
}

export function resolveImages(inputs: ManifestInputs): BootstrapImages {
  return {
    flannel: inputs.images?.flannel ?? FLANNEL_IMAGE,
    flannelCniPlugin: inputs.images?.flannelCniPlugin ?? FLANNEL_CNI_PLUGIN_IMAGE,
    coredns: inputs.images?.coredns ?? COREDNS_IMAGE,
    kubeProxy: inputs.images?.kubeProxy ?? `${KUBE_PROXY_IMAGE_REPOSITORY}:${inputs.kubernetesVersion}`,
    updateOperator: inputs.images?.updateOperator ?? UPDATE_OPERATOR_IMAGE,
    etcdOperator: inputs.images?.etcdOperator ?? ETCD_OPERATOR_IMAGE,
    updateServer: inputs.images?.updateServer ?? UPDATE_SERVER_IMAGE,
    console: inputs.images?.console ?? CONSOLE_IMAGE,
  };
}
