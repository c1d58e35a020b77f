// kube-proxy as a pod image, as a node's DaemonSet runs it: the pinned static binary where Kubernetes' own image has it,
// and the netfilter tools its iptables mode execs (iptables, iptables-save, iptables-restore and the ip6tables ones),
// Debian's nf_tables ones from this machine with their libraries and extensions (src/host-binaries.ts), as on the node.
// Kubernetes' image (distroless-iptables) also has nft, conntrack and ipset: kube-proxy 1.36 clears conntrack entries
// over netlink rather than with conntrack(8), looks for nft only to remove an nftables mode's leftovers (and skips that
// without it), and needs ipset only in ipvs mode, which Strata does not use.
import { KUBERNETES_VERSION } from './components.ts';
import { NETFILTER_TOOLS } from './host-binaries.ts';
import type { ImageSpec } from './oci/image.ts';

/**
 * Where the lab's registry serves the image: `registry.k8s.io/kube-proxy:v1.36.3`, the name the rendered DaemonSet
 * pins, less the registry host, so that a node's containerd mirroring registry.k8s.io to the lab's registry finds it.
 */
export const KUBE_PROXY_IMAGE_REPOSITORY = 'kube-proxy';
export const KUBE_PROXY_IMAGE_TAG = KUBERNETES_VERSION;
/** Where Kubernetes' image puts the binary, and so where kubeadm's DaemonSet command names it. */
export const KUBE_PROXY_PATH = '/usr/local/bin/kube-proxy';

/** The image of `resolveBinary('kube-proxy')`; the netfilter tools are read from this machine when it is built. */
export function kubeProxyImageSpec(kubeProxyBinary: string): ImageSpec {
  return {
    files: [{ path: KUBE_PROXY_PATH.slice(1), hostFile: kubeProxyBinary, mode: 0o755 }],
    hostExecutables: [NETFILTER_TOOLS],
    entrypoint: [KUBE_PROXY_PATH],
    // kube-proxy looks iptables up on PATH: /usr/sbin/iptables.
    env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
  };
}
