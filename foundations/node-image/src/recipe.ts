// What goes into the node image besides Debian's packages: where each pinned binary lands, the few files that
// make them a node (containerd's unit and config, os-release, the root file system's fstab entry), and the dracut
// configuration and module that put Ignition into the initramfs (ADR 0084).
import { HOST_FILES } from '@strata/api';
import { CNI_PLUGIN_NAMES, NODE_IMAGE_NAMES, type NodeImageName } from '@strata/binaries';
import { DEFAULT_STATE_DIR, USR_UPDATE_TOOL_PATH } from '@strata/update-engine';
import { USR_UPDATE_TOOL } from './usr-update-tool.ts';
import {
  FIRSTBOOT_COMPLETE_PATH,
  FIRSTBOOT_COMPLETE_TOOL,
  FIRSTBOOT_COMPLETE_UNIT,
  FIRSTBOOT_COMPLETE_UNIT_NAME,
  INSTALL_CMDLINE_HOOK,
  INSTALL_TOOL,
  INSTALL_TOOL_PATH,
} from './install-tool.ts';
import { STRATA_NODE_IMAGE_VERSION } from './version.ts';

/** The Debian release the image is built from, with the host's own apt sources (deb.debian.org). */
export const DEBIAN_SUITE = 'bookworm';

/**
 * mmdebstrap's minbase variant (Essential and apt only) plus what a kubelet node needs, and nothing else: no
 * recommends (mmdebstrap installs none), no documentation or translations (DPKG_PATH_EXCLUDES).
 * dracut rather than initramfs-tools writes the initramfs (both provide linux-initramfs-tool; naming dracut makes apt
 * choose it), as on Flatcar and Fedora CoreOS, because Ignition ships a dracut module and no initramfs-tools hooks.
 * dracut-network holds dracut's network modules (Ignition's module depends on them; it pulls isc-dhcp-client and
 * iputils-arping for network-legacy); curl is what dracut's url-lib module, another of Ignition's dependencies,
 * requires to be included at all; procps gives network-legacy its pgrep; zstd compresses the initramfs.
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
  'dracut',
  'dracut-network',
  'curl',
  'procps',
  'zstd',
  // systemd-boot's EFI binary, copied onto the disk's ESP by the build (ADR 0087), and the systemd-boot package for
  // systemd-bless-boot (boot counting: it marks the booted entry good). The package's postinst runs bootctl install
  // only when it finds a mounted ESP, which the build's chroot has not, and its kernel hook only when systemd-boot is
  // installed there: the image's ESP stays the build's.
  'systemd-boot-efi',
  'systemd-boot',
  // The network after the switch to the root, as on Container Linux: systemd-networkd (in the systemd package) keeps
  // DHCP's lease and its DNS servers, systemd-resolved serves them at /run/systemd/resolve/resolv.conf, the file the
  // kubelet's rendered configuration names as its pods' resolv.conf.
  'systemd-resolved',
  // mtools: the install (ADR 0092) writes the installed first boot's arguments into the ESP's boot entry with it,
  // in the initramfs, before the disk has a partition table; fdisk's sfdisk moves the backup GPT to the disk's end.
  'mtools',
  'fdisk',
  // The system bus: update_engine serves com.coreos.update1 on it and logind its Reboot, the two services the update
  // agent calls (systemd's Recommends, which mmdebstrap leaves out).
  'dbus',
  // polkit: logind asks it whether a caller that is not root may reboot. The update agent's host user is not root;
  // the rule each node's Ignition writes (/etc/polkit-1/rules.d) allows it that one action. Without polkitd, logind
  // refuses the agent's Reboot and a granted update never reboots.
  'polkitd',
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
/** The /usr file system's label (the disk's slots are found by their partition names, never by this). */
export const USR_LABEL = 'strata-usr';

/**
 * The CNI plugins live under /usr, which is the OS image (read-only and A/B in the target layout), not /opt, which
 * belongs to the machine; containerd's config points there.
 */
export const CNI_BIN_DIR = '/usr/libexec/cni';
/**
 * Where a cluster's network add-on installs its own CNI plugin (flannel's DaemonSet copies `flannel` there), as on
 * Flatcar: the machine's, beside the image's. containerd looks in both, the image's first.
 */
export const ADDON_CNI_BIN_DIR = '/opt/cni/bin';

/** A pinned binary of the image: a node's own, or etcd, which a controller machine runs as etcd-member.service. */
export type ImageBinaryName = NodeImageName | 'etcd';

/** Where one pinned binary lands in the image. */
export function installPathOf(name: ImageBinaryName): string {
  return (CNI_PLUGIN_NAMES as readonly string[]).includes(name) ? `${CNI_BIN_DIR}/${name}` : `/usr/bin/${name}`;
}

// etcd is the control plane's own pinned build (ETCD_VERSION), as Container Linux carried etcd in its image: a
// controller needs no container engine besides the kubelet's to run its etcd member.
export const IMAGE_BINARIES: readonly ImageBinaryName[] = [...NODE_IMAGE_NAMES, 'etcd'];

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
  bin_dirs = ['${CNI_BIN_DIR}', '${ADDON_CNI_BIN_DIR}']
  conf_dir = '/etc/cni/net.d'

[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
  runtime_type = 'io.containerd.runc.v2'

[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
  BinaryName = '/usr/bin/runc'
  SystemdCgroup = true
`;

export const CONTAINERD_CONFIG_PATH = HOST_FILES.nodeImageContainerdConfig;

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

/**
 * The image's default network: DHCP on every Ethernet link, as Flatcar's zz-default.network. "zz" sorts last, so a
 * .network file a machine's Ignition writes to /etc/systemd/network wins. KeepConfiguration: the address the
 * initramfs's DHCP set (a network boot's Ignition fetch) stays while networkd asks again, so the root never loses it.
 * Not veth links, as Flatcar's excludes them too: each pod's host end is a veth (an Ethernet link to networkd), which
 * the CNI bridge plugin owns; networkd must neither run DHCP on it nor manage its addresses and routes.
 */
export const DEFAULT_NETWORK = `# Strata node image ${STRATA_NODE_IMAGE_VERSION}: DHCP on every Ethernet link unless /etc says otherwise.
[Match]
Type=ether
Driver=!veth

[Network]
DHCP=yes
KeepConfiguration=dhcp

[DHCPv4]
UseDomains=yes
`;

/**
 * Strata's own programs in the image run on the Node.js runtime the project runs on (the `node` package's binary),
 * under /usr with the OS: what an A/B update replaces.
 */
export const NODE_RUNTIME_PATH = '/usr/lib/strata/node/bin/node';
/** update_engine, bundled into one file from `@strata/update-engine/daemon`. */
export const UPDATE_ENGINE_BUNDLE_PATH = '/usr/lib/strata/update-engine/strata-update-engine.mjs';
export const UPDATE_ENGINE_UNIT_NAME = 'strata-update-engine.service';

/**
 * update_engine's unit, as Flatcar's update-engine.service: on the system bus under its name (Type=dbus: started once
 * it owns com.coreos.update1), restarted when it fails, its state (the staged update's record) kept in
 * /var/lib/strata-update-engine, readable by root alone. Not ordered after network-online.target: multi-user.target
 * waits for the units it wants, and a machine without a network would wait for the network's time-out; a check
 * without a network fails, is reported, and the next one comes.
 */
export const UPDATE_ENGINE_UNIT = `# Strata node image ${STRATA_NODE_IMAGE_VERSION}: update_engine.
[Unit]
Description=Strata update engine (Omaha checks, A/B /usr updates)
After=dbus.service

[Service]
Type=dbus
BusName=com.coreos.update1
ExecStart=${NODE_RUNTIME_PATH} ${UPDATE_ENGINE_BUNDLE_PATH} --state-dir=${DEFAULT_STATE_DIR}
Restart=always
RestartSec=10
StateDirectory=${DEFAULT_STATE_DIR.replace('/var/lib/', '')}
StateDirectoryMode=0700
Environment=NODE_OPTIONS=--max-old-space-size=128

[Install]
WantedBy=multi-user.target
`;

/**
 * Who may own update_engine's name (root, which the unit runs as) and call it (root). The update agent's own calls
 * are allowed by the policy each node's Ignition writes for its user (GetStatus only).
 */
export const UPDATE_ENGINE_DBUS_POLICY = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<!-- Strata node image ${STRATA_NODE_IMAGE_VERSION}: update_engine on the system bus. -->
<busconfig>
  <policy user="root">
    <allow own="com.coreos.update1"/>
    <allow send_destination="com.coreos.update1"/>
  </policy>
</busconfig>
`;

export const IMAGE_FILES: readonly ImageFile[] = [
  { path: '/usr/lib/systemd/network/zz-default.network', mode: 0o644, content: DEFAULT_NETWORK },
  { path: '/usr/lib/systemd/system/containerd.service', mode: 0o644, content: CONTAINERD_UNIT },
  { path: CONTAINERD_CONFIG_PATH, mode: 0o644, content: CONTAINERD_CONFIG },
  // base-files makes /etc/os-release a link to this file; it is replaced, the link kept.
  { path: '/usr/lib/os-release', mode: 0o644, content: OS_RELEASE },
  { path: '/etc/hostname', mode: 0o644, content: 'strata-node\n' },
  { path: '/etc/fstab', mode: 0o644, content: `LABEL=${ROOT_LABEL} / ext4 defaults 0 1\n` },
  { path: USR_UPDATE_TOOL_PATH, mode: 0o755, content: USR_UPDATE_TOOL },
  { path: `/usr/lib/systemd/system/${UPDATE_ENGINE_UNIT_NAME}`, mode: 0o644, content: UPDATE_ENGINE_UNIT },
  { path: '/usr/share/dbus-1/system.d/com.coreos.update1.conf', mode: 0o644, content: UPDATE_ENGINE_DBUS_POLICY },
  { path: FIRSTBOOT_COMPLETE_PATH, mode: 0o755, content: FIRSTBOOT_COMPLETE_TOOL },
  { path: `/usr/lib/systemd/system/${FIRSTBOOT_COMPLETE_UNIT_NAME}`, mode: 0o644, content: FIRSTBOOT_COMPLETE_UNIT },
];

export interface ImageDirectory {
  readonly path: string;
  readonly mode: number;
}

/**
 * Empty directories the image adds. /efi: where the disk's ESP is mounted, by systemd-gpt-auto-generator (an
 * automount) on a boot whose loader reported the ESP it came from (LoaderDevicePartUUID), and only
 * then: it mounts the ESP at /efi only if that is an empty directory (else at /boot, which holds the kernel here).
 * systemd-bless-boot finds the ESP there. Not an fstab line: a direct kernel boot of rootfs.ext4 has no ESP, and
 * there its device job held multi-user.target back for the device time-out (90 s).
 */
export const IMAGE_DIRECTORIES: readonly ImageDirectory[] = [{ path: '/efi', mode: 0o755 }];

export const IMAGE_SYMLINKS: readonly ImageSymlink[] = [
  // Enabled by the image (/usr), as a vendor preset, rather than by the machine's /etc.
  {
    path: '/usr/lib/systemd/system/multi-user.target.wants/containerd.service',
    target: '../containerd.service',
  },
  // systemd-networkd, its socket and its wait-online (network-online.target, which the kubelet waits for), and
  // systemd-resolved: what systemctl enable would link, under /usr.
  {
    path: '/usr/lib/systemd/system/multi-user.target.wants/systemd-networkd.service',
    target: '../systemd-networkd.service',
  },
  {
    path: '/usr/lib/systemd/system/sockets.target.wants/systemd-networkd.socket',
    target: '../systemd-networkd.socket',
  },
  {
    path: '/usr/lib/systemd/system/network-online.target.wants/systemd-networkd-wait-online.service',
    target: '../systemd-networkd-wait-online.service',
  },
  {
    path: '/usr/lib/systemd/system/multi-user.target.wants/systemd-resolved.service',
    target: '../systemd-resolved.service',
  },
  {
    path: `/usr/lib/systemd/system/multi-user.target.wants/${UPDATE_ENGINE_UNIT_NAME}`,
    target: `../${UPDATE_ENGINE_UNIT_NAME}`,
  },
  {
    path: `/usr/lib/systemd/system/multi-user.target.wants/${FIRSTBOOT_COMPLETE_UNIT_NAME}`,
    target: `../${FIRSTBOOT_COMPLETE_UNIT_NAME}`,
  },
];

/**
 * dracut reads its distribution's configuration from here before /etc/dracut.conf.d (a file of the same name there
 * overrides it): the image's initramfs policy stays under /usr, with the OS, and /etc stays the machine's.
 */
export const DRACUT_CONF_PATH = '/usr/lib/dracut/dracut.conf.d/50-strata.conf';
/** Ignition's own dracut module, as its repository ships it (dracut/30ignition), plus the `ignition` binary. */
export const IGNITION_DRACUT_MODULE_DIR = '/usr/lib/dracut/modules.d/30ignition';
/** Strata's distribution module, which asks for Ignition's (whose check() only lets another module include it). */
export const STRATA_DRACUT_MODULE_NAME = 'strata-ignition';
export const STRATA_DRACUT_MODULE_DIR = `/usr/lib/dracut/modules.d/50${STRATA_DRACUT_MODULE_NAME}`;

/** The files of Ignition's dracut module that dracut runs (or installs as programs) rather than reads. */
export const IGNITION_DRACUT_EXECUTABLES: readonly string[] = [
  'module-setup.sh',
  'ignition-generator',
  'ignition-kargs-helper.sh',
];

/**
 * The image's dracut configuration. Every dracut run in the image uses it: the one the kernel package's postinst
 * makes during the build, and any later one on a node.
 */
export const DRACUT_CONF = `# Strata node image ${STRATA_NODE_IMAGE_VERSION}: how dracut builds the initramfs (ADR 0084).
# An image boots on machines it has never seen: take drivers for any of them, not for the build's chroot.
hostonly="no"
# Only the modules a node's boot needs (and what they depend on), not every module whose check passes: dracut's
# default would take LVM, RAID, iSCSI, NFS, Plymouth and more, and dracut-network's own 11-ifcfg.conf adds ifcfg,
# which pulls in the systemd-networkd module and with it D-Bus.
#   systemd, systemd-initrd, dracut-systemd: systemd as the initramfs's init, with dracut's hooks as its units;
#   kernel-modules, qemu: block, virtio and fw_cfg drivers; rootfs-block, fs-lib: root=LABEL=... and its fsck;
#   network-legacy: the network backend for rd.neednet=1 ip=dhcp (see ${STRATA_DRACUT_MODULE_NAME});
#   ${STRATA_DRACUT_MODULE_NAME}: Ignition, which runs only when the kernel command line has ignition.firstboot.
dracutmodules+=" bash systemd systemd-initrd dracut-systemd kernel-modules qemu rootfs-block fs-lib udev-rules base network-legacy ${STRATA_DRACUT_MODULE_NAME} "
omit_dracutmodules+=" ifcfg "
# Of the file systems, only the root's: without this list a generic initramfs takes every one the kernel has (a third
# of its modules), and the image can make no other (Ignition formats with the image's mkfs.ext4 alone).
filesystems+=" ext4 "
# zstd as initramfs-tools used for bookworm: smaller than gzip (50 MiB against 68 here), and fast to unpack. At level
# 9, not dracut's default 15: measured on this initramfs, 1.3 % larger for an eighth of the CPU time (5 s against
# 38 s), and the build runs dracut twice (the kernel's postinst, then dracut's own trigger).
compress="zstd -q -9 -T0"
`;

/**
 * Strata's module. dracut sources it; each function is one of dracut's module hooks.
 * - check() returns 255 (only when named), as Ignition's does: the configuration names it.
 * - depends() lists network-legacy before ignition: dracut's network module (which Ignition's depends on) takes the
 *   first network backend already included, and network-legacy needs neither D-Bus nor a daemon started on every
 *   boot, as the systemd-networkd module would (that module enables networkd and its wait-online in the initramfs).
 */
export const STRATA_DRACUT_MODULE_SETUP = `#!/bin/bash
# Strata node image ${STRATA_NODE_IMAGE_VERSION}: the distribution module that brings in Ignition's (ADR 0084).

check() {
    return 255
}

depends() {
    echo network-legacy ignition
    return 0
}

install() {
    inst_simple "$moddir/ignition-fetch-network.conf" \\
        "$systemdsystemunitdir/ignition-fetch.service.d/10-strata-network.conf"
    inst_simple "$moddir/journald-console.conf" \\
        "/etc/systemd/journald.conf.d/50-strata-console.conf"
    inst_script "$moddir/strata-ignition-presets.sh" "/usr/sbin/strata-ignition-presets"
    inst_simple "$moddir/strata-ignition-presets.service" \\
        "$systemdsystemunitdir/strata-ignition-presets.service"
    # Like Ignition's own units: required by ignition-complete.target, which only a first boot starts.
    $SYSTEMCTL -q --root="$initdir" add-requires ignition-complete.target strata-ignition-presets.service || exit 1
    # The install from the network (ADR 0092): its program, what it runs, and the hook that queues it.
    inst_script "$moddir/strata-install.sh" "${INSTALL_TOOL_PATH}"
    inst_multiple zstd dd sha256sum blkdiscard sfdisk mtype mcopy cmp tee mkfifo cut tr date sleep sync
    # mtools converts file names to and from the FAT's code page (850) through glibc's iconv, which loads it.
    inst_libdir_file "gconv/gconv-modules.cache" "gconv/gconv-modules" "gconv/IBM850.so" "gconv/IBM437.so"
    inst_hook cmdline 95 "$moddir/strata-install-cmdline.sh"
}
`;

/**
 * Ignition's fetch stage runs when fetch-offline found no config it could read without the network (the metal
 * platform's ignition.config.url=) and asks for the network (/run/ignition/neednet). The network comes from dracut's
 * standard arguments, rd.neednet=1 ip=dhcp, which whoever boots the machine adds with ignition.config.url=: with
 * rd.neednet=1, dracut-initqueue does not finish until an interface has its DHCP lease, so ordering the fetch after it
 * is ordering it after the network (Ignition's own After=network.target means nothing in this initramfs). The root
 * file system exists in the image, so the initqueue's wait for it does not depend on Ignition's disks stage.
 */
export const IGNITION_FETCH_NETWORK_DROPIN = `[Unit]
After=dracut-initqueue.service
`;

/**
 * Ignition logs to the journal, not to its output; in the initramfs, messages at err or worse also go to the console,
 * so that a first boot that stops in the emergency target says why on the serial console, not only in a journal
 * nobody can read there.
 */
export const JOURNALD_CONSOLE_CONF = `[Journal]
ForwardToConsole=yes
MaxLevelConsole=err
`;

/**
 * Ignition enables (or disables) a config's units by writing systemd presets (/etc/systemd/system-preset/
 * 20-ignition.preset) and leaves applying them to the distribution: Fedora CoreOS relies on systemd's first-boot
 * preset-all. This image's /etc/machine-id is empty, which systemd does not count as a first boot (machine-id(5)), and
 * a preset-all would also apply Debian's and systemd's own presets to every unit. So Strata applies the presets of the
 * units Ignition named, and only those, in the initramfs right after Ignition's files stage: `systemctl preset` reads
 * all preset files, and Ignition's 20- sorts before the rest, so its lines decide for its units.
 */
export const STRATA_IGNITION_PRESETS_SCRIPT = `#!/bin/sh
# Strata node image ${STRATA_NODE_IMAGE_VERSION}: apply the presets Ignition wrote, for the units it named.
set -eu
preset=/sysroot/etc/systemd/system-preset/20-ignition.preset
units=
while read -r verb unit _; do
    case "$verb" in
        enable | disable) units="$units $unit" ;;
    esac
done <"$preset"
[ -n "$units" ] || exit 0
echo "strata-ignition-presets: systemctl --root=/sysroot preset$units"
# shellcheck disable=SC2086 # one word per unit
exec systemctl --root=/sysroot preset -- $units
`;

export const STRATA_IGNITION_PRESETS_UNIT = `[Unit]
Description=Strata: apply Ignition's unit presets to the root
ConditionPathExists=/etc/initrd-release
ConditionPathExists=/sysroot/etc/systemd/system-preset/20-ignition.preset
DefaultDependencies=false
After=ignition-files.service
Before=ignition-complete.target
OnFailure=emergency.target
OnFailureJobMode=isolate

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/sbin/strata-ignition-presets
`;

/**
 * Files that must be in the tree before the packages are configured: the kernel package's postinst runs dracut, which
 * then reads this configuration and finds Strata's module (Ignition's module and binary come from the build).
 */
export const INITRAMFS_FILES: readonly ImageFile[] = [
  { path: DRACUT_CONF_PATH, mode: 0o644, content: DRACUT_CONF },
  { path: `${STRATA_DRACUT_MODULE_DIR}/module-setup.sh`, mode: 0o755, content: STRATA_DRACUT_MODULE_SETUP },
  {
    path: `${STRATA_DRACUT_MODULE_DIR}/ignition-fetch-network.conf`,
    mode: 0o644,
    content: IGNITION_FETCH_NETWORK_DROPIN,
  },
  { path: `${STRATA_DRACUT_MODULE_DIR}/journald-console.conf`, mode: 0o644, content: JOURNALD_CONSOLE_CONF },
  {
    path: `${STRATA_DRACUT_MODULE_DIR}/strata-ignition-presets.sh`,
    mode: 0o755,
    content: STRATA_IGNITION_PRESETS_SCRIPT,
  },
  {
    path: `${STRATA_DRACUT_MODULE_DIR}/strata-ignition-presets.service`,
    mode: 0o644,
    content: STRATA_IGNITION_PRESETS_UNIT,
  },
  { path: `${STRATA_DRACUT_MODULE_DIR}/strata-install.sh`, mode: 0o755, content: INSTALL_TOOL },
  { path: `${STRATA_DRACUT_MODULE_DIR}/strata-install-cmdline.sh`, mode: 0o755, content: INSTALL_CMDLINE_HOOK },
];
