// matchbox itself, on a free loopback port, over a data directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { StrataError } from '@strata/api';
import { waitFor } from '@strata/host';

/** matchbox stopped before it answered. */
export class MatchboxExitedError extends StrataError {}

export interface RunningMatchbox {
  readonly url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `assetsPath` "" turns /assets/ off, as in matchbox. */
export async function startMatchbox(matchboxPath: string, dataPath: string, assetsPath = ''): Promise<RunningMatchbox> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    matchboxPath,
    ['-address', `127.0.0.1:${port}`, '-data-path', dataPath, '-assets-path', assetsPath, '-log-level', 'error'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const exited = once(child, 'exit');
  await waitFor(
    'matchbox answering /',
    async () => {
      if (child.exitCode !== null) throw new MatchboxExitedError(`matchbox exited (${child.exitCode}): ${stderr}`, {});
      return (await fetch(`${url}/`)
        .then((response) => response.ok)
        .catch(() => false))
        ? true
        : undefined;
    },
    { timeoutMs: 10_000 },
  );
  return {
    url,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
