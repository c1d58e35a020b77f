// kube-proxy as a pod image, as a node's DaemonSet runs it: the pinned static binary where Kubernetes' own image has it.
// Kubernetes' image adds iptables, ip6tables, nft, conntrack and ipset on a Debian base (distroless-iptables); this one
// has none of them: the node provides them, in the iptables-wrapper sense, once the lab mounts them in (not yet done).
import { KUBERNETES_VERSION } from './components.ts';
import type { ImageSpec } from './oci/image.ts';

/** Where the image lives in a registry: `<registry>/strata/kube-proxy:v1.36.3`. */
export const KUBE_PROXY_IMAGE_REPOSITORY = 'strata/kube-proxy';
export const KUBE_PROXY_IMAGE_TAG = KUBERNETES_VERSION;
/** Where Kubernetes' image puts the binary, and so where kubeadm's DaemonSet command names it. */
export const KUBE_PROXY_PATH = '/usr/local/bin/kube-proxy';

/** The image of `resolveBinary('kube-proxy')`. */
export function kubeProxyImageSpec(kubeProxyBinary: string): ImageSpec {
  return {
    files: [{ path: KUBE_PROXY_PATH.slice(1), hostFile: kubeProxyBinary, mode: 0o755 }],
    entrypoint: [KUBE_PROXY_PATH],
    // The node's iptables and nft are looked up on PATH, where a DaemonSet mounts them.
    env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
  };
}
