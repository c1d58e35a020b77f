import { fileURLToPath } from 'node:url';
import { runCommand, type CommandResult } from '@strata/host';

const STRATA = fileURLToPath(new URL('../../bin/strata.js', import.meta.url));

/** Runs the real `strata` command in a child process, as a user would. */
export function runStrata(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CommandResult> {
  return runCommand(process.execPath, [STRATA, ...args], {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.env === undefined ? {} : { env: options.env }),
  });
}
