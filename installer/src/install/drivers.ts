// The platforms `strata install` installs in this build. The clouds join here
// once their programs are wired to the engine.
import type { DriverRegistry } from './platform-driver.ts';
import { bareMetalDriver } from './bare-metal/driver.ts';
import { bareMetalInstallOptionsSchema, type BareMetalInstallOptions } from './bare-metal/options.ts';
import { localDriver } from './local/driver.ts';

/** The drivers, with the bare-metal one set up by the command's flags (status and destroy need none of them). */
export function installDrivers(
  bareMetal: BareMetalInstallOptions = bareMetalInstallOptionsSchema.parse({}),
): DriverRegistry {
  return { local: localDriver, 'bare-metal': bareMetalDriver(bareMetal) };
}

export const DRIVERS: DriverRegistry = installDrivers();
