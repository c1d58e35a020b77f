// The platforms `strata install` installs in this build. Bare metal and the
// clouds join here once their programs are wired to the engine.
import type { DriverRegistry } from './platform-driver.ts';
import { localDriver } from './local/driver.ts';

export const DRIVERS: DriverRegistry = { local: localDriver };
