// A platform that creates nothing and whose API is whatever answers at a URL:
// a loopback port nothing listens on (an API that never answers), or a test
// server. The engine's tests drive the real render and the real Pulumi engine
// with it, up to the wait for the API.
import { freePort } from '@strata/host';
import type { PlatformDriver } from '../install/platform-driver.ts';

/** A port that was free a moment ago and that nothing listens on. */
export const closedPort = (): Promise<number> => freePort();

/** A platform that creates nothing and whose API is whatever answers at `url`. */
export function platformAt(url: string): PlatformDriver {
  return {
    platform: 'local',
    preflight: () => Promise.resolve([]),
    program: () => () => Promise.resolve({}),
    apiServerUrl: () => url,
    logFiles: () => Promise.resolve([]),
    afterDestroy: () => Promise.resolve(),
  };
}
