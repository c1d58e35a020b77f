// The node annotation and label protocol between the agent on each node and the
// operator, in the shape of CoreOS's container-linux-update-operator (its
// "flatcar-linux-update.v1.flatcar-linux.net/" keys) under Strata's own prefix.
// Both sides read and write only these keys, so a rollout's whole state lives
// on the Node objects and survives any restart of either side.

/** The prefix of every node label and annotation of the protocol; the agent may change no other (agent-node-policy.ts in @strata/assets enforces it). */
export const UPDATE_PROTOCOL_PREFIX = 'update.strata.dev/';

/** Annotations, all strings. Booleans are "true" or "false". */
export const ANNOTATIONS = {
  /** Agent: update_engine staged an update and the node needs a reboot. */
  rebootNeeded: `${UPDATE_PROTOCOL_PREFIX}reboot-needed`,
  /** Operator: the agent may drain and reboot now. */
  rebootOk: `${UPDATE_PROTOCOL_PREFIX}reboot-ok`,
  /** Agent: it has begun draining/rebooting (set before cordoning). */
  rebootInProgress: `${UPDATE_PROTOCOL_PREFIX}reboot-in-progress`,
  /** Agent: update_engine's CurrentOperation, e.g. UPDATE_STATUS_UPDATED_NEED_REBOOT. */
  status: `${UPDATE_PROTOCOL_PREFIX}status`,
  /** Agent: the version update_engine staged. */
  newVersion: `${UPDATE_PROTOCOL_PREFIX}new-version`,
  /** Agent: update_engine's LastCheckedTime, Unix seconds. */
  lastCheckedTime: `${UPDATE_PROTOCOL_PREFIX}last-checked-time`,
  /** Agent: it cordoned the node itself (and so may uncordon it). */
  agentMadeUnschedulable: `${UPDATE_PROTOCOL_PREFIX}agent-made-unschedulable`,
  /** Agent: the boot ID it saw when it started the reboot; a different boot ID after restart proves the reboot happened. */
  rebootBootId: `${UPDATE_PROTOCOL_PREFIX}reboot-boot-id`,
  /**
   * Agent: the version update_engine staged when the agent began the reboot. If the machine comes back on another
   * version, the new slot failed to boot and the bootloader fell back: a rollback.
   */
  rebootTargetVersion: `${UPDATE_PROTOCOL_PREFIX}reboot-target-version`,
  /**
   * Agent: the version the node last rolled back from (its new slot failed to boot); removed once a reboot lands on
   * the version it was meant to. update_engine reports the rollback to the update server (error 44), which does not
   * offer that version to the machine again.
   */
  rolledBack: `${UPDATE_PROTOCOL_PREFIX}rolled-back`,
  /** Operator: RFC 3339 time the reboot was granted, for rebootTimeout. */
  rebootGrantedAt: `${UPDATE_PROTOCOL_PREFIX}reboot-granted-at`,
  /** Operator: the node did not come back within rebootTimeout ("true"). */
  rebootFailed: `${UPDATE_PROTOCOL_PREFIX}reboot-failed`,
  /** Operator: the UpdatePolicy that granted the reboot. */
  policy: `${UPDATE_PROTOCOL_PREFIX}policy`,
  /** FleetLock: the Zincati client id holding a slot for this node. */
  fleetLockHolder: `${UPDATE_PROTOCOL_PREFIX}fleetlock-holder`,
  /**
   * Operator: the Zincati client id whose FleetLock slot waits for the policy's before-reboot hooks (beside the
   * before-reboot label, which holds the slot); it becomes fleetlock-holder once every hook says "true".
   */
  fleetLockRequester: `${UPDATE_PROTOCOL_PREFIX}fleetlock-requester`,
  /** FleetLock server: it cordoned the node before granting the lock (and so uncordons it at steady-state). */
  fleetLockMadeUnschedulable: `${UPDATE_PROTOCOL_PREFIX}fleetlock-made-unschedulable`,
  /** Agent (drain timed out, onTimeout Retry) or FleetLock server: RFC 3339 time the drain failed; the operator revokes and retries later. */
  drainFailed: `${UPDATE_PROTOCOL_PREFIX}drain-failed`,
  /**
   * Operator: how many drains of the node failed in a row before the current one (counted when the node is granted
   * again, removed once it has rebooted); the wait before the next grant doubles with each.
   */
  drainFailures: `${UPDATE_PROTOCOL_PREFIX}drain-failures`,
} as const;

/** Labels, for selection with kubectl and for hooks (as the CoreOS operator's before-reboot/after-reboot labels). */
export const LABELS = {
  /** Operator: the node is about to be allowed to reboot; hook controllers act on it and set their annotations. */
  beforeReboot: `${UPDATE_PROTOCOL_PREFIX}before-reboot`,
  /** Operator: the node has rebooted; hook controllers check it and set their annotations. */
  afterReboot: `${UPDATE_PROTOCOL_PREFIX}after-reboot`,
  /** Agent: the OS id, e.g. flatcar or fedora-coreos. */
  osId: `${UPDATE_PROTOCOL_PREFIX}id`,
  /** Agent: the running OS version. */
  version: `${UPDATE_PROTOCOL_PREFIX}version`,
  /** Agent: the update group (Flatcar) or stream (Fedora CoreOS). */
  group: `${UPDATE_PROTOCOL_PREFIX}group`,
  /** Agent: mirrors the reboot-needed annotation, for label selectors. */
  rebootNeeded: `${UPDATE_PROTOCOL_PREFIX}reboot-needed`,
  /**
   * An administrator (the console's "Pause reboots"): hold this node's reboots. Honoured through selection: the
   * default UpdatePolicy selects only nodes without it, and a policy of one's own does when its nodeSelector says
   * `DoesNotExist` for it; a node no policy selects is never granted a reboot. Set it only on a node with no reboot
   * under way: no policy would complete that reboot, and its stale grant would outlive it (ADR 0062).
   */
  rebootsPaused: `${UPDATE_PROTOCOL_PREFIX}reboots-paused`,
} as const;

/** Pod annotations the update agent's drain reads. */
export const POD_ANNOTATIONS = {
  /**
   * A pod's emptyDir volumes, comma-separated, that hold only scratch data (re-creatable, never the only copy): the
   * drain evicts the pod without `drain.deleteEmptyDirData`, as long as every emptyDir it has is listed. Strata's own
   * components set it (the etcd operator stages snapshots in one); any other emptyDir still refuses the drain.
   */
  scratchVolumes: `${UPDATE_PROTOCOL_PREFIX}scratch-volumes`,
} as const;

export const TRUE = 'true';
export const FALSE = 'false';
