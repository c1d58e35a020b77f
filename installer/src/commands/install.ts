import { join } from 'node:path';
import { Command } from 'commander';
import { installDrivers } from '../install/drivers.ts';
import type { RawBareMetalOptions } from '../install/bare-metal/options.ts';
import { addBareMetalOptions, bareMetalOptionsOf } from './bare-metal-options.ts';
import { runInstall } from '../install/engine.ts';
import { InstallEvents } from '../install/events.ts';
import { checkBackendUrl } from '../install/cluster-dir.ts';
import { diagnose } from '../diagnostics/index.ts';
import { liveViewWanted, startLiveView, thisTerminal } from '../ui/live/start-live-view.tsx';
import { InstallError, InstallUsageError } from '../install/errors.ts';
import { runWizard } from '../ui/wizard/start-wizard.tsx';
import {
  attachOutput,
  confirmation,
  DIR_HELP,
  directoryFor,
  exitFor,
  EXIT_CODES_HELP,
} from './install-command-support.ts';

interface InstallCommandOptions extends RawBareMetalOptions {
  readonly config?: string;
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
      .option(
        '-c, --config <file>',
        "the cluster config (cluster.yaml); it is only read, never changed. Without it, on a terminal, a wizard asks for everything and writes ./cluster.yaml, starting from the answers of ./cluster.yaml or else of --dir's cluster.yaml when one exists",
      )
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
Without --config, on a terminal, a wizard asks for the config screen by screen,
checking each answer as --config would, shows the file with its differences to an
existing ./cluster.yaml, writes it on confirmation, and installs it (or, with w at
the review, only writes it). Without a terminal, --config is required.
${EXIT_CODES_HELP}`,
      ),
  ).action(async (given: InstallCommandOptions) => {
    const options = await withWizardConfig(given);
    if (options === undefined) return;
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

/** The file the wizard writes when --config is not given. */
const WIZARD_TARGET = 'cluster.yaml';

/**
 * The options with a config: --config's, or the one the wizard wrote on a
 * terminal. Undefined when the wizard only wrote the file or was quit.
 */
async function withWizardConfig(
  options: InstallCommandOptions,
): Promise<(InstallCommandOptions & { readonly config: string }) | undefined> {
  if (options.config !== undefined) return { ...options, config: options.config };
  try {
    if (!liveViewWanted(thisTerminal(options.json === true)))
      throw new InstallUsageError(
        'no --config given, and no terminal to ask on: pass --config <cluster.yaml> (the wizard runs only on a terminal, without --json)',
        {},
      );
    // With --dir the cluster's own copy is where the answers start when there is no ./cluster.yaml.
    const result = await runWizard({
      target: WIZARD_TARGET,
      flags: options,
      ...(options.dir === undefined ? {} : { fallback: join(options.dir, 'cluster.yaml') }),
    });
    if (result.outcome === 'quit') throw new InstallError('the wizard was quit; nothing was written', {});
    if (result.outcome === 'write' || result.configPath === undefined) {
      process.stderr.write(
        `strata: wrote ${WIZARD_TARGET}; install it with: strata install --config ${WIZARD_TARGET}\n`,
      );
      return undefined;
    }
    return { ...options, ...result.bareMetal, config: result.configPath };
  } catch (error) {
    exitFor(error, options.json);
  }
}
