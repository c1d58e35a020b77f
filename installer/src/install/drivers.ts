// The platforms `strata install` installs in this build: every platform Strata knows.
import type { DriverRegistry } from './platform-driver.ts';
import { bareMetalDriver } from './bare-metal/driver.ts';
import { bareMetalInstallOptionsSchema, type BareMetalInstallOptions } from './bare-metal/options.ts';
import { awsDriver, azureDriver, gcpDriver } from './cloud/platforms.ts';
import { localDriver } from './local/driver.ts';

/** The drivers, with the bare-metal one set up by the command's flags (status and destroy need none of them). */
export function installDrivers(
  bareMetal: BareMetalInstallOptions = bareMetalInstallOptionsSchema.parse({}),
): DriverRegistry {
  return {
    local: localDriver,
    'bare-metal': bareMetalDriver(bareMetal),
    aws: awsDriver,
    gcp: gcpDriver,
    azure: azureDriver,
  };
}

export const DRIVERS: DriverRegistry = installDrivers();
