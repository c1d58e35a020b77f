// What the install, plan, status and destroy commands share: the directory
// option, the output consumers, and how an error becomes an exit code.
import { createInterface } from 'node:readline/promises';
import { defaultClusterDir } from '@strata/platform-local';
import type { ClusterConfig } from '@strata/assets';
import { describeError } from '../error-output.ts';
import { EXIT, InstallError, InstallUsageError } from '../install/errors.ts';
import type { InstallEvents, ResourceChange } from '../install/events.ts';
import { jsonOutput } from '../install/output/json.ts';
import { describeChange, plainOutput } from '../install/output/plain.ts';

export const EXIT_CODES_HELP = `
Exit codes: 0 done, 1 failed, 2 bad usage (including a missing --yes without a terminal),
3 bad config (or a directory made for another cluster), 4 preflight failed (nothing was created).`;

export const DIR_HELP = 'the cluster directory (default: $XDG_DATA_HOME/strata/clusters/<name>)';

export function directoryFor(dir: string | undefined): (config: ClusterConfig) => string {
  return (config) => dir ?? defaultClusterDir(config.name);
}

/** Subscribes the output --json asks for; returns the unsubscribe function. */
export function attachOutput(events: InstallEvents, json: boolean | undefined): () => void {
  return json === true ? jsonOutput(events) : plainOutput(events);
}

/**
 * How changes to an existing cluster are confirmed: --yes applies them; a
 * terminal asks; anything else stops with exit 2 and says to pass --yes.
 */
export function confirmation(yes: boolean | undefined): (changes: readonly ResourceChange[]) => Promise<boolean> {
  return async (changes) => {
    if (yes === true) return true;
    if (!process.stdin.isTTY || !process.stderr.isTTY) {
      throw new InstallUsageError(
        `the config changed since the last install, and applying it changes ${changes.length} resource(s) (listed above); no terminal to ask: pass --yes to apply`,
        { changes: changes.length },
      );
    }
    const prompt = createInterface({ input: process.stdin, output: process.stderr });
    try {
      process.stderr.write(`${changes.map((change) => `  ${describeChange(change)}`).join('\n')}\n`);
      const answer = await prompt.question('Apply these changes? [y/N] ');
      return /^y(es)?$/i.test(answer.trim());
    } finally {
      prompt.close();
    }
  };
}

/** Ends the command for an error: its message, then its exit code (1 for anything not an InstallError). */
export function exitFor(error: unknown, json: boolean | undefined): never {
  const code = error instanceof InstallError ? error.exitCode : EXIT.failed;
  if (json === true) {
    process.stdout.write(
      `${JSON.stringify({ type: 'error', exitCode: code, error: error instanceof Error ? error.message : String(error) })}\n`,
    );
  } else {
    process.stderr.write(`strata: ${describeError(error)}\n`);
  }
  process.exit(code);
}
