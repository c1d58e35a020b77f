// The built console for the browser tests: the production build of `server/build.ts` (once per content of its
// inputs, under a lock), then `next start` on 127.0.0.1 and a free port.
import { homedir } from 'node:os';
import { freePort, ManagedProcess, waitFor } from '@strata/host';
import { CONSOLE_DIR, NEXT_CLI as NEXT, NEXT_ENV } from '../server/build.ts';

export { ensureConsoleBuilt } from '../server/build.ts';

export interface RunningConsole {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * `next start` for the built console, with a fresh session secret and either `kubeconfigPath`'s cluster or the
 * configuration in `environment` (the API server's address, OpenID sign-in). `port` is chosen free unless given (a
 * test that registers the console's callback with an OpenID provider needs to know it first).
 */
export async function startConsole(options: {
  kubeconfigPath?: string;
  environment?: Readonly<Record<string, string>>;
  port?: number;
  logFile: string;
}): Promise<RunningConsole> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
  const process_ = ManagedProcess.start({
    name: 'console',
    command: process.execPath,
    args: [NEXT, 'start', CONSOLE_DIR, '--hostname', '127.0.0.1', '--port', String(port)],
    cwd: CONSOLE_DIR,
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: homedir(),
      ...NEXT_ENV,
      ...(options.kubeconfigPath === undefined ? {} : { STRATA_CONSOLE_KUBECONFIG: options.kubeconfigPath }),
      ...options.environment,
      STRATA_CONSOLE_SESSION_SECRET: secret,
    },
    logFile: options.logFile,
  });
  await waitFor(
    'the console to answer',
    async () => {
      if (!process_.running) throw await process_.failure('next start exited');
      const answer = await fetch(`${url}/login`).catch(() => undefined);
      return answer?.ok === true ? true : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
  return {
    url,
    stop: async () => {
      await process_.stop();
    },
  };
}
