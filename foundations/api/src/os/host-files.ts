/**
 * Files of a Container Linux host that Strata writes or the update agent reads, as paths on the host. The agent's
 * DaemonSet mounts each under the agent's host root, the agent reads it there, and the node's Ignition writes the
 * update.conf overrides: one list keeps the three in step.
 */
export const HOST_FILES = {
  /** The kernel's id of the current boot, which changes at every boot. */
  bootId: '/proc/sys/kernel/random/boot_id',
  /** Where a Container Linux machine describes itself. */
  osRelease: '/etc/os-release',
  /** Flatcar's update.conf defaults, in the read-only OS image. */
  updateConfDefaults: '/usr/share/flatcar/update.conf',
  /** Flatcar's update.conf overrides for this machine; update_engine reads them after the defaults. */
  updateConf: '/etc/flatcar/update.conf',
  /**
   * Strata's node image: containerd's own configuration in the read-only image (the CRI runtime, runc, the CNI
   * directories), which a machine's rendered /etc/containerd/config.toml imports and adds to.
   */
  nodeImageContainerdConfig: '/usr/share/containerd/config.toml',
} as const;
