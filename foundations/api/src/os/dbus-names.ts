// The D-Bus names the update agent talks to on a Container Linux host, as
// update_engine and systemd-logind publish them, and the host identity the
// agent has there. The agent's D-Bus adapter calls exactly UPDATE_AGENT_DBUS_CALLS,
// and the node's rendered D-Bus policy and polkit rule allow the agent's user
// exactly these calls and UPDATE_AGENT_POLKIT_ACTIONS: one list, so that the
// adapter and the policy cannot drift apart.

export const UPDATE_ENGINE = {
  service: 'com.coreos.update1',
  path: '/com/coreos/update1',
  interface: 'com.coreos.update1.Manager',
  /** GetStatus's reply and StatusUpdate's body: last_checked_time, progress, current_operation, new_version, new_size. */
  statusSignature: 'xdssx',
} as const;

export const LOGIN1 = {
  service: 'org.freedesktop.login1',
  path: '/org/freedesktop/login1',
  interface: 'org.freedesktop.login1.Manager',
} as const;

/**
 * The system user the update agent runs as on every node: created by the node's rendered sysusers.d entry (with a
 * group of the same name and id), and the DaemonSet's runAsUser and runAsGroup. The uid is fixed, outside the system
 * range below 1000, clear of the first login users from 1000 and of nobody's 65534, so that the Pod spec, written
 * before any node exists, can name it.
 */
export const UPDATE_AGENT_HOST_USER = { name: 'strata-update-agent', uid: 4194, gid: 4194 } as const;

export interface DbusCall {
  readonly destination: string;
  readonly interface: string;
  readonly member: string;
}

/** Every method the agent calls on the host's system bus (besides the bus itself: Hello, AddMatch). */
export const UPDATE_AGENT_DBUS_CALLS: readonly DbusCall[] = [
  { destination: UPDATE_ENGINE.service, interface: UPDATE_ENGINE.interface, member: 'GetStatus' },
  { destination: LOGIN1.service, interface: LOGIN1.interface, member: 'Reboot' },
];

/**
 * The polkit actions logind checks when the agent calls Reboot(false): the plain one, or, while other users are
 * logged in (an SSH session), the multiple-sessions one instead. Not reboot-ignore-inhibit: an inhibitor holds
 * the reboot back, and the agent asks again.
 */
export const UPDATE_AGENT_POLKIT_ACTIONS: readonly string[] = [
  'org.freedesktop.login1.reboot',
  'org.freedesktop.login1.reboot-multiple-sessions',
];

/** Where the system bus listens unless DBUS_SYSTEM_BUS_ADDRESS says otherwise. */
export const DEFAULT_SYSTEM_BUS_ADDRESS = 'unix:path=/var/run/dbus/system_bus_socket';
