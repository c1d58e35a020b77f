import { Command } from 'commander';
import { installDrivers } from '../install/drivers.ts';
import type { RawBareMetalOptions } from '../install/bare-metal/options.ts';
import { addBareMetalOptions, bareMetalOptionsOf } from './bare-metal-options.ts';
import { runInstall } from '../install/engine.ts';
import { InstallEvents } from '../install/events.ts';
import { checkBackendUrl } from '../install/cluster-dir.ts';
import { diagnose } from '../diagnostics/index.ts';
import { liveViewWanted, startLiveView, thisTerminal } from '../ui/live/start-live-view.tsx';
import {
  attachOutput,
  confirmation,
  DIR_HELP,
  directoryFor,
  exitFor,
  EXIT_CODES_HELP,
} from './install-command-support.ts';

interface InstallCommandOptions extends RawBareMetalOptions {
  readonly config: string;
  readonly dir?: string;
  readonly backend?: string;
  readonly yes?: boolean;
  readonly json?: boolean;
  readonly installPlugins?: boolean;
}

export function installCommand(): Command {
  return addBareMetalOptions(
    new Command('install')
      .description(
        'install the cluster a cluster.yaml describes: preflight, render, provision, wait for the API, bootstrap, wait for the nodes',
      )
      .requiredOption('-c, --config <file>', 'the cluster config (cluster.yaml); it is only read, never changed')
      .option('-d, --dir <dir>', DIR_HELP)
      .option(
        '--backend <url>',
        'where Pulumi keeps the state: file://, s3://, gs://, azblob:// or https:// (Pulumi Cloud); default: <dir>/state',
      )
      .option('-y, --yes', 'apply changes to an installed cluster without asking')
      .option(
        '--install-plugins',
        'obtain a missing cloud provider plugin at its pinned version through the Pulumi engine (needs the network; without it, preflight stops and says how to provide the plugin)',
      )
      .option('--json', 'print every event as one JSON object per line on stdout')
      .addHelpText(
        'after',
        `
Running install again continues where it stopped (after a failure, Ctrl-C or a kill):
the journal (<dir>/journal.jsonl) and the Pulumi state say what is done. A changed
config is rendered and previewed again, and the changes are shown before they apply.
On platform: local the cluster runs in the background; strata destroy stops it.
On platform: bare-metal, install registers every machine with the boot server
(--boot-api and its TLS files), then delivers each controller's withheld secrets
over SSH (--ssh-identity) as soon as its sshd answers.
${EXIT_CODES_HELP}`,
      ),
  ).action(async (options: InstallCommandOptions) => {
    const events = new InstallEvents();
    const live = liveViewWanted(thisTerminal(options.json === true)) ? startLiveView(events) : undefined;
    const detach = live === undefined ? attachOutput(events, options.json) : live.stop;
    try {
      const backend = options.backend === undefined ? undefined : checkBackendUrl(options.backend);
      await runInstall({
        configPath: options.config,
        dir: directoryFor(options.dir),
        ...(backend === undefined ? {} : { backend }),
        events,
        drivers: installDrivers(bareMetalOptionsOf(options)),
        diagnose,
        confirm: live === undefined || options.yes === true ? confirmation(options.yes) : live.confirm,
        installPlugins: options.installPlugins === true,
      });
      events.end();
      detach();
    } catch (error) {
      events.end();
      detach();
      exitFor(error, options.json);
    }
  });
}
