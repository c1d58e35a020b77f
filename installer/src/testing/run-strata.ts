import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const STRATA = fileURLToPath(new URL('../../bin/strata.js', import.meta.url));

export interface StrataRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real `strata` command in a child process, as a user would. */
export function runStrata(args: readonly string[], options: { cwd?: string } = {}): Promise<StrataRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [STRATA, ...args], { cwd: options.cwd, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}
