import { Command } from 'commander';
import { defaultClusterDir } from '@strata/platform-local';
import { DRIVERS } from '../install/drivers.ts';
import { InstallUsageError } from '../install/errors.ts';
import { InstallEvents } from '../install/events.ts';
import { runDestroy } from '../install/operations.ts';
import { attachOutput, exitFor, EXIT_CODES_HELP } from './install-command-support.ts';
import { createInterface } from 'node:readline/promises';

async function confirmDestroy(dir: string, yes: boolean | undefined): Promise<boolean> {
  if (yes === true) return true;
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new InstallUsageError(`destroy removes the cluster in ${dir}; no terminal to ask: pass --yes`, { dir });
  }
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(`Destroy the cluster in ${dir}? [y/N] `)).trim());
  } finally {
    prompt.close();
  }
}

export function destroyCommand(): Command {
  return new Command('destroy')
    .description('remove everything strata install created, also after a failed or half-finished install')
    .option('-d, --dir <dir>', 'the cluster directory (default: that of the cluster named "local")')
    .option('-y, --yes', 'do not ask')
    .option('--json', 'print every event as one JSON object per line on stdout')
    .addHelpText(
      'after',
      `
The directory keeps its assets (keys included) and the journal; remove it yourself
once you no longer need them. On platform: local, destroy stops the cluster's
processes and checks that every port it used is free.
${EXIT_CODES_HELP}`,
    )
    .action(async (options: { dir?: string; yes?: boolean; json?: boolean }) => {
      const dir = options.dir ?? defaultClusterDir('local');
      const events = new InstallEvents();
      const detach = attachOutput(events, options.json);
      try {
        if (!(await confirmDestroy(dir, options.yes))) {
          detach();
          process.stderr.write('Nothing was destroyed.\n');
          return;
        }
        await runDestroy({ dir, events, drivers: DRIVERS });
        events.end();
        detach();
        if (options.json !== true) process.stderr.write(`Destroyed the cluster in ${dir}.\n`);
      } catch (error) {
        events.end();
        detach();
        exitFor(error, options.json);
      }
    });
}
