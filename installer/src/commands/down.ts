import { Command } from 'commander';
import { waitFor, WaitTimeoutError } from '@strata/host';
import { clusterDirectoryOf, type ClusterDirectoryOptions } from './cluster-directory-option.ts';

const STOP_TIMEOUT_MS = 90_000;

export function downCommand(): Command {
  return new Command('down')
    .description('stop the local cluster that `strata up` runs')
    .option('-c, --config <file>', 'the cluster.yaml it was started with (to find its directory)')
    .option('-d, --dir <dir>', 'the cluster directory (default: that of the cluster named "local")')
    .action(async (options: ClusterDirectoryOptions) => {
      const directory = await clusterDirectoryOf(options);
      const pid = await directory.runningPid();
      if (pid === undefined) {
        process.stderr.write(`No strata up is running for ${directory.path}.\n`);
        return;
      }
      process.stderr.write(`Stopping strata up (pid ${pid}) for ${directory.path} …\n`);
      process.kill(pid, 'SIGTERM');
      try {
        await waitFor(
          `strata up (pid ${pid}) to stop`,
          async () => ((await directory.runningPid()) === undefined ? true : undefined),
          { timeoutMs: STOP_TIMEOUT_MS, intervalMs: 200 },
        );
      } catch (error) {
        if (!(error instanceof WaitTimeoutError)) throw error;
        process.stderr.write(
          `strata up (pid ${pid}) did not stop within ${STOP_TIMEOUT_MS / 1000}s; its components stop when it exits (kill -9 ${pid}).\n`,
        );
        process.exit(1);
      }
      process.stderr.write('Stopped.\n');
    });
}
