// The platforms `strata install` installs in this build. Bare metal joins
// here once its program is wired to the engine.
import type { DriverRegistry } from './platform-driver.ts';
import { localDriver } from './local/driver.ts';
import { awsDriver, azureDriver, gcpDriver } from './cloud/platforms.ts';

export const DRIVERS: DriverRegistry = { local: localDriver, aws: awsDriver, gcp: gcpDriver, azure: azureDriver };
