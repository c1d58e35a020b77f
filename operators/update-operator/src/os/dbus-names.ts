// The D-Bus names the agent talks to on a Container Linux host, as update_engine
// and systemd-logind publish them (and as the Flatcar update operator's
// pkg/updateengine and pkg/login1 use them).

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

/** Where the system bus listens unless DBUS_SYSTEM_BUS_ADDRESS says otherwise. */
export const DEFAULT_SYSTEM_BUS_ADDRESS = 'unix:path=/var/run/dbus/system_bus_socket';
