// The node OS adapters of the agent: a real Container Linux host over D-Bus. (The
// simulated one, SimulatedOperatingSystem, comes from @strata/platform-local.)
export { BOOT_ID_PATH, DbusOperatingSystem, type DbusOperatingSystemOptions } from './dbus-operating-system.ts';
export { DEFAULT_SYSTEM_BUS_ADDRESS } from '@strata/api';
export { DbusCallError, MalformedSignalError, OsReleaseError } from './errors.ts';
export {
  OS_RELEASE_PATH,
  UPDATE_CONF_PATHS,
  osReleaseFrom,
  parseEnvironmentFile,
  readOsRelease,
} from './os-release.ts';
