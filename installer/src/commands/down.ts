import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
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
      const deadline = Date.now() + STOP_TIMEOUT_MS;
      while ((await directory.runningPid()) !== undefined) {
        if (Date.now() > deadline) {
          process.stderr.write(
            `strata up (pid ${pid}) did not stop within ${STOP_TIMEOUT_MS / 1000}s; its components stop when it exits (kill -9 ${pid}).\n`,
          );
          process.exit(1);
        }
        await sleep(200);
      }
      process.stderr.write('Stopped.\n');
    });
}
