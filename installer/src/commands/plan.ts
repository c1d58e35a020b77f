import { Command } from 'commander';
import { installDrivers } from '../install/drivers.ts';
import type { RawBareMetalOptions } from '../install/bare-metal/options.ts';
import { addBareMetalOptions, bareMetalOptionsOf } from './bare-metal-options.ts';
import { InstallEvents } from '../install/events.ts';
import { runPlan } from '../install/operations.ts';
import { attachOutput, DIR_HELP, directoryFor, exitFor, EXIT_CODES_HELP } from './install-command-support.ts';

interface PlanCommandOptions extends RawBareMetalOptions {
  readonly config: string;
  readonly dir?: string;
  readonly json?: boolean;
  readonly installPlugins?: boolean;
}

export function planCommand(): Command {
  return addBareMetalOptions(
    new Command('plan')
      .description(
        "show what strata install would create or change, resource by resource (the Pulumi engine's preview)",
      )
      .requiredOption('-c, --config <file>', 'the cluster config (cluster.yaml)')
      .option('-d, --dir <dir>', DIR_HELP)
      .option(
        '--install-plugins',
        'obtain a missing cloud provider plugin at its pinned version through the Pulumi engine (needs the network; without it, preflight stops and says how to provide the plugin)',
      )
      .option('--json', 'print the preview as JSON lines on stdout')
      .addHelpText('after', EXIT_CODES_HELP),
  ).action(async (options: PlanCommandOptions) => {
    const events = new InstallEvents();
    const detach = attachOutput(events, options.json);
    try {
      await runPlan({
        configPath: options.config,
        dir: directoryFor(options.dir),
        events,
        drivers: installDrivers(bareMetalOptionsOf(options)),
        installPlugins: options.installPlugins === true,
      });
      detach();
    } catch (error) {
      detach();
      exitFor(error, options.json);
    }
  });
}
