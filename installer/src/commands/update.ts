import { Command } from 'commander';
import { LABELS, StrataError } from '@strata/api';
import type { ClusterDirectoryOptions } from './cluster-directory-option.ts';
import { rolloutCommands } from '../update/update-commands.ts';
import { CommandGroup } from './command-group.ts';

interface OfferOptions extends ClusterDirectoryOptions {
  readonly group?: string;
}

/**
 * `strata update`: the update server's channels, groups and rollouts
 * (channels, groups, promote, pause, resume, status), and `offer <version>`,
 * which makes an OS update available to the simulated nodes of a local cluster
 * that ask no update server: Fedora CoreOS nodes (Zincati asks Fedora's
 * Cincinnati graph, which the local platform does not simulate). Flatcar nodes
 * ask the cluster's update server: `strata update promote`.
 */
export function updateCommand(): Command {
  const offer = new Command('offer')
    .description(
      'make an OS version available to the local cluster’s nodes that ask no update server (Fedora CoreOS); Flatcar nodes: use promote',
    )
    .argument('<version>', 'the version to offer, e.g. 4230.2.4 (nodes install it only if it is newer than theirs)')
    .option('-c, --config <file>', 'the cluster.yaml it was started with (to find its directory)')
    .option('-d, --dir <dir>', 'the cluster directory (default: that of the cluster named "local")')
    .option('--group <group>', 'offer it to this update group only (default: every group)')
    .addHelpText(
      'after',
      `
For a Fedora CoreOS cluster (os.name: fedora-coreos), whose simulated nodes
ask no update server. Flatcar nodes ask the cluster's update server: promote a
version with \`strata update promote <version> --channel stable\` instead (an
offer only has them check at once). Each node downloads the version and then
needs a reboot; the update operator reboots them within its UpdatePolicy's
budget. Watch it with:
  kubectl get updatepolicies
  kubectl get nodes -L ${LABELS.version} -L ${LABELS.rebootNeeded} -w`,
    )
    .action(async (version: string, options: OfferOptions) => {
      // Loaded here: the local platform's modules cost the other subcommands a second of start-up.
      const { parseUpdateOffer, UPDATE_OFFER_SIGNAL, writeUpdateOffer } = await import('../local/update-offers.ts');
      const { clusterDirectoryOf } = await import('./cluster-directory-option.ts');
      let update;
      try {
        update = parseUpdateOffer(
          { version, ...(options.group === undefined ? {} : { group: options.group }) },
          'the update offer',
        );
      } catch (error) {
        if (!(error instanceof StrataError)) throw error;
        process.stderr.write(`${error.message}\n`);
        process.exit(2);
      }
      const directory = await clusterDirectoryOf(options);
      try {
        const pid = await directory.runningPid();
        if (pid === undefined) {
          process.stderr.write(
            `No strata up is running for ${directory.path}: start the cluster with strata up first.\n`,
          );
          process.exit(1);
        }
        await writeUpdateOffer(directory.path, update);
        process.kill(pid, UPDATE_OFFER_SIGNAL);
        process.stderr.write(
          `Offered ${update.version}${update.group === undefined ? '' : ` to group ${update.group}`} to the nodes of ${directory.path} (strata up, pid ${pid}, logs what they do).\n`,
        );
      } catch (error) {
        if (!(error instanceof StrataError)) throw error;
        process.stderr.write(`${error.message}\n`);
        process.exit(1);
      }
    });
  const update = new CommandGroup('update').description(
    "OS updates: the update server's channels, groups and rollouts (promote a version to a channel), and offers to a local Fedora CoreOS cluster's nodes",
  );
  for (const command of rolloutCommands()) update.addCommand(command);
  return update.addCommand(offer);
}
