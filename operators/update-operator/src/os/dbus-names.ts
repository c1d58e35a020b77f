/** Where the system bus listens unless DBUS_SYSTEM_BUS_ADDRESS says otherwise. */
export const DEFAULT_SYSTEM_BUS_ADDRESS = 'unix:path=/var/run/dbus/system_bus_socket';
