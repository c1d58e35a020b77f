// A platform whose API never answers: its URL names a loopback port nothing
// listens on. The engine's tests drive the real render and the real Pulumi
// engine with it, up to the wait for the API.
import { createServer } from 'node:net';
import type { PlatformDriver } from '../install/platform-driver.ts';

/** A port that was free a moment ago and that nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export function unansweringPlatform(url: string): PlatformDriver {
  return {
    platform: 'local',
    preflight: () => Promise.resolve([]),
    program: () => () => Promise.resolve({}),
    apiServerUrl: () => url,
    logFiles: () => Promise.resolve([]),
    afterDestroy: () => Promise.resolve(),
  };
}
