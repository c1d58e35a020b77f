// `strata up --json` as a user runs it, for the whole-system tests: started, its ready line read and parsed, and
// stopped with SIGTERM as Ctrl-C would.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const STRATA = fileURLToPath(new URL('../bin/strata.js', import.meta.resolve('@strata/installer')));

/** What `strata up --json` prints once the cluster is ready (the fields these tests read). */
export const strataUpReadySchema = z.object({
  kubeconfig: z.string(),
  console: z.url(),
  consoleCa: z.string(),
  consoleToken: z.string(),
  nodes: z.array(z.string()).min(1),
});
export type StrataUpReady = z.infer<typeof strataUpReadySchema>;

export interface RunningStrataUp {
  readonly ready: StrataUpReady;
  /** What it wrote to stderr so far. */
  readonly stderr: () => string;
  /** SIGTERM, then its exit code once it has stopped everything. */
  readonly stop: () => Promise<number | null>;
}

/**
 * Runs `strata up --dir <dir> --workers <workers> --json` and resolves once it prints its ready line; rejects with
 * its stderr if it exits first. A caller that gets a RunningStrataUp must stop it.
 */
export async function startStrataUp(dir: string, workers = 1): Promise<RunningStrataUp> {
  const up = spawn(process.execPath, [STRATA, 'up', '--dir', dir, '--workers', String(workers), '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  up.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(up, 'exit') as Promise<[number | null]>;
  const stop = async (): Promise<number | null> => {
    if (up.exitCode === null && up.signalCode === null) up.kill('SIGTERM');
    const [code] = await exited;
    return code;
  };
  try {
    const line = await Promise.race([
      new Promise<string>((resolve) => createInterface({ input: up.stdout }).once('line', resolve)),
      exited.then(([code]) => {
        throw new Error(`strata up exited with ${code} before the cluster was ready:\n${stderr}`);
      }),
    ]);
    return { ready: strataUpReadySchema.parse(JSON.parse(line)), stderr: () => stderr, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
