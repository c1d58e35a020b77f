// What goes into the node image besides Debian's packages: where each pinned binary lands, and the few files that
// make them a node (containerd's unit and config, os-release, the root file system's fstab entry).
import { CNI_PLUGIN_NAMES, NODE_IMAGE_NAMES, type NodeImageName } from '@strata/binaries';
import { STRATA_NODE_IMAGE_VERSION } from './version.ts';

/** The Debian release the image is built from, with the host's own apt sources (deb.debian.org). */
export const DEBIAN_SUITE = 'bookworm';

/**
 * mmdebstrap's minbase variant (Essential and apt only) plus what a kubelet node needs, and nothing else: no
 * recommends (mmdebstrap installs none), no documentation or translations (DPKG_PATH_EXCLUDES).
 * linux-image-amd64 pulls in initramfs-tools, which writes the initramfs while the kernel package is configured.
 */
export const DEBIAN_PACKAGES: readonly string[] = [
  'systemd',
  'systemd-sysv',
  'udev',
  'kmod',
  'linux-image-amd64',
  'iproute2',
  'iptables',
  'conntrack',
  'ethtool',
  'socat',
  'ca-certificates',
  'mount',
  'util-linux',
  'e2fsprogs',
];

/** dpkg path filters: the copyright files stay (the licences travel with the image). */
export const DPKG_OPTIONS: readonly string[] = [
  'path-exclude=/usr/share/man/*',
  'path-exclude=/usr/share/doc/*',
  'path-include=/usr/share/doc/*/copyright',
  'path-exclude=/usr/share/locale/*',
  'path-exclude=/usr/share/info/*',
];

/** The file system label the kernel command line finds the root by. */
export const ROOT_LABEL = 'strata-root';

/**
 * The CNI plugins live under /usr, which is the OS image (read-only and A/B in the target layout), not /opt, which
 * belongs to the machine; containerd's config points there.
 */
export const CNI_BIN_DIR = '/usr/libexec/cni';

/** Where one pinned binary lands in the image. */
export function installPathOf(name: NodeImageName): string {
  return (CNI_PLUGIN_NAMES as readonly string[]).includes(name) ? `${CNI_BIN_DIR}/${name}` : `/usr/bin/${name}`;
}

export const IMAGE_BINARIES: readonly NodeImageName[] = NODE_IMAGE_NAMES;

export interface ImageFile {
  /** Absolute path inside the image. */
  readonly path: string;
  readonly mode: number;
  readonly content: string;
}

export interface ImageSymlink {
  readonly path: string;
  readonly target: string;
}

/**
 * containerd 2's config (version 3). It lives under /usr with the binaries it names, and the unit passes it with
 * --config, so /etc stays the machine's own: a machine that needs another config points the unit elsewhere.
 * The runc shim runs /usr/bin/runc; cgroups are systemd's, as the kubelet's cgroupDriver will be.
 */
export const CONTAINERD_CONFIG = `# Strata node image ${STRATA_NODE_IMAGE_VERSION}: containerd's configuration.
version = 3

[plugins.'io.containerd.cri.v1.runtime'.cni]
  bin_dirs = ['${CNI_BIN_DIR}']
  conf_dir = '/etc/cni/net.d'

[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
  runtime_type = 'io.containerd.runc.v2'

[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
  BinaryName = '/usr/bin/runc'
  SystemdCgroup = true
`;

export const CONTAINERD_CONFIG_PATH = '/usr/share/containerd/config.toml';

/** containerd's own unit (its repository's containerd.service), with the binary and config paths of this image. */
export const CONTAINERD_UNIT = `[Unit]
Description=containerd container runtime
Documentation=https://containerd.io
After=network.target local-fs.target

[Service]
ExecStartPre=-/usr/sbin/modprobe overlay
ExecStart=/usr/bin/containerd --config ${CONTAINERD_CONFIG_PATH}
Type=notify
Delegate=yes
KillMode=process
Restart=always
RestartSec=5
LimitNPROC=infinity
LimitCORE=infinity
TasksMax=infinity
OOMScoreAdjust=-999

[Install]
WantedBy=multi-user.target
`;

/** What the update agent and the console read: the node OS contract's os-release (ID, VERSION_ID). */
export const OS_RELEASE = `NAME="Strata node image"
ID=strata
ID_LIKE=debian
VERSION="${STRATA_NODE_IMAGE_VERSION} (Debian ${DEBIAN_SUITE})"
VERSION_ID=${STRATA_NODE_IMAGE_VERSION}
PRETTY_NAME="Strata node image ${STRATA_NODE_IMAGE_VERSION}"
VARIANT_ID=node
`;

export const IMAGE_FILES: readonly ImageFile[] = [
  { path: '/usr/lib/systemd/system/containerd.service', mode: 0o644, content: CONTAINERD_UNIT },
  { path: CONTAINERD_CONFIG_PATH, mode: 0o644, content: CONTAINERD_CONFIG },
  // base-files makes /etc/os-release a link to this file; it is replaced, the link kept.
  { path: '/usr/lib/os-release', mode: 0o644, content: OS_RELEASE },
  { path: '/etc/hostname', mode: 0o644, content: 'strata-node\n' },
  { path: '/etc/fstab', mode: 0o644, content: `LABEL=${ROOT_LABEL} / ext4 defaults 0 1\n` },
];

export const IMAGE_SYMLINKS: readonly ImageSymlink[] = [
  // Enabled by the image (/usr), as a vendor preset, rather than by the machine's /etc.
  {
    path: '/usr/lib/systemd/system/multi-user.target.wants/containerd.service',
    target: '../containerd.service',
  },
];
