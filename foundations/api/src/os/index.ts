// The node OS contract: what a Container Linux machine offers to the kubelet and
// to the update agent. The local platform implements it with a simulated OS;
// the update operator's agent programs against it (and implements it over
// D-Bus on real nodes). It lives here, in the lowest layer, so both can.
export {
  UPDATE_STATUSES,
  type RebootManager,
  type UpdateEngine,
  type UpdateEngineStatus,
  type UpdateStatus,
} from './update-engine.ts';
export type { NodeOperatingSystem, OsRelease } from './operating-system.ts';
export { HOST_FILES } from './host-files.ts';
export {
  DEFAULT_SYSTEM_BUS_ADDRESS,
  LOGIN1,
  UPDATE_AGENT_DBUS_CALLS,
  UPDATE_AGENT_HOST_USER,
  UPDATE_AGENT_POLKIT_ACTIONS,
  UPDATE_ENGINE,
  type DbusCall,
} from './dbus-names.ts';
export { compareVersions, isNewer, parseVersion } from './os-version.ts';
export { parseEnvironmentFile } from './environment-file.ts';
