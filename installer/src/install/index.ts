// The install engine's API, for the commands and the interactive UI.
export { runInstall, loadInstallConfig, type InstallOptions, type InstallResult } from './engine.ts';
export { runPlan, runStatus, runDestroy, type StatusReport } from './operations.ts';
export {
  InstallEvents,
  installEventSchema,
  INSTALL_PHASES,
  PHASES,
  type InstallEvent,
  type Phase,
  type ResourceChange,
} from './events.ts';
export {
  EXIT,
  InstallError,
  InstallUsageError,
  InstallConfigError,
  PreflightFailedError,
  PhaseFailedError,
} from './errors.ts';
export { DRIVERS } from './drivers.ts';
export type { PlatformDriver, DriverRegistry, DriverContext } from './platform-driver.ts';
export { plainOutput } from './output/plain.ts';
export { jsonOutput } from './output/json.ts';
