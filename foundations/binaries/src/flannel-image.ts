// The pod network's two images, as the rendered kube-flannel DaemonSet (@strata/assets' manifests/flannel.ts) runs
// them: flanneld's, whose main container runs /opt/bin/flanneld --ip-masq --kube-subnet-mgr and whose init container
// runs `cp -f /etc/kube-flannel/cni-conf.json /etc/cni/net.d/10-flannel.conflist`; and the flannel CNI plugin's, whose
// init container runs `cp -f /flannel /opt/cni/bin/flannel`. `cp` is Debian's static busybox (busybox-static), as
// the lab's workload image has it. flanneld programs its masquerade and forward rules with iptables and
// iptables-restore (and the ip6tables ones): Debian's nf_tables tools from this machine (src/host-binaries.ts), the
// same backend as kube-proxy's and the node's. flanneld itself is static (CGO_ENABLED=0).
import { FLANNEL_VERSION } from './components.ts';
import { NETFILTER_TOOLS } from './host-binaries.ts';
import type { ImageSpec } from './oci/image.ts';

/**
 * Where the lab's registry serves flanneld's image: `ghcr.io/flannel-io/flannel:v0.28.9`, the name the rendered
 * DaemonSet pins, less the registry host, so that a node's containerd mirroring ghcr.io to the lab's registry finds it.
 */
export const FLANNEL_IMAGE_REPOSITORY = 'flannel-io/flannel';
export const FLANNEL_IMAGE_TAG = FLANNEL_VERSION;
/** Where flannel's own image puts flanneld, and so where the DaemonSet's command names it. */
export const FLANNELD_PATH = '/opt/bin/flanneld';

/**
 * Where the lab's registry serves the flannel CNI plugin's image: `ghcr.io/flannel-io/flannel-cni-plugin:v1.9.1-flannel3`,
 * the name the rendered DaemonSet pins, less the registry host. The tag is upstream's; what the lab serves under it is
 * its own build of the `flannel` CNI plugin, whatever its version (`resolveBinary('flannel')` says which): the name
 * is the manifest's, the content the lab's.
 */
export const FLANNEL_CNI_PLUGIN_IMAGE_REPOSITORY = 'flannel-io/flannel-cni-plugin';
export const FLANNEL_CNI_PLUGIN_IMAGE_TAG = 'v1.9.1-flannel3';
/** Where flannel's plugin image puts the plugin: the init container copies it from there into /opt/cni/bin. */
export const FLANNEL_CNI_PLUGIN_PATH = '/flannel';

/** busybox and its `cp` applet, which the init containers run (`command: ['cp']`, found on the image's PATH). */
function busyboxCp(busybox: string): ImageSpec['files'] {
  return [
    { path: 'bin/busybox', hostFile: busybox, mode: 0o755 },
    { path: 'bin/cp', symlinkTo: 'busybox' },
  ];
}

export interface FlannelImageInput {
  /** `resolveBinary('flanneld')`. */
  readonly flanneld: string;
  /** Debian's static busybox: `findHostTool('busybox', 'busybox-static')`. */
  readonly busybox: string;
}

/** flanneld's image; the netfilter tools are read from this machine when it is built. */
export function flannelImageSpec(input: FlannelImageInput): ImageSpec {
  return {
    files: [{ path: FLANNELD_PATH.slice(1), hostFile: input.flanneld, mode: 0o755 }, ...busyboxCp(input.busybox)],
    hostExecutables: [NETFILTER_TOOLS],
    entrypoint: [FLANNELD_PATH],
    // flanneld looks iptables and iptables-restore up on PATH (/usr/sbin); the init container's cp is /bin/cp.
    env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
  };
}

export interface FlannelCniPluginImageInput {
  /** The `flannel` CNI plugin binary, static. */
  readonly plugin: string;
  /** Debian's static busybox: `findHostTool('busybox', 'busybox-static')`. */
  readonly busybox: string;
}

/** The flannel CNI plugin's image: the plugin at /flannel and a `cp` to install it; run bare, it installs it. */
export function flannelCniPluginImageSpec(input: FlannelCniPluginImageInput): ImageSpec {
  return {
    files: [
      { path: FLANNEL_CNI_PLUGIN_PATH.slice(1), hostFile: input.plugin, mode: 0o755 },
      ...busyboxCp(input.busybox),
    ],
    cmd: ['cp', '-f', FLANNEL_CNI_PLUGIN_PATH, '/opt/cni/bin/flannel'],
    env: ['PATH=/bin'],
  };
}
