import { Command } from 'commander';
import { binariesCommand } from './commands/binaries.ts';
import { bootServerCommand } from './commands/boot-server.ts';
import { renderCommand } from './commands/render.ts';
import { upCommand } from './commands/up.ts';
import { downCommand } from './commands/down.ts';
import { updateCommand } from './commands/update.ts';
import { rotateCommand } from './commands/rotate.ts';
import { installCommand } from './commands/install.ts';
import { planCommand } from './commands/plan.ts';
import { statusCommand } from './commands/status.ts';
import { destroyCommand } from './commands/destroy.ts';
import { machinesCommand } from './commands/machines.ts';
import { version } from './version.ts';
import { printError, setDebugOutput } from './error-output.ts';

const program = new Command()
  .name('strata')
  .description(
    'Strata installs and runs Kubernetes clusters on Container Linux (Flatcar), on AWS, GCP, Azure, bare metal, or this machine.',
  )
  .version(version, '-v, --version')
  .option('--debug', 'show the stack trace of an error (for reporting a bug in Strata)')
  .showHelpAfterError('(run `strata --help` for usage)')
  .addHelpText(
    'after',
    `
Exit codes: 0 success, 1 the command failed, 2 invalid usage (an unknown command included);
install, plan, status and destroy also: 3 bad config, 4 preflight failed.
Documentation: README.md and docs/architecture.md in the repository.`,
  );

program.exitOverride((error) => {
  // commander uses exit code 1 for usage errors; scripts need to tell them apart.
  process.exit(error.exitCode === 0 ? 0 : 2);
});
// Subcommands take the exit-code and help behaviour set above.
for (const command of [
  installCommand(),
  planCommand(),
  statusCommand(),
  destroyCommand(),
  upCommand(),
  downCommand(),
  updateCommand(),
  renderCommand(),
  binariesCommand(),
  bootServerCommand(),
  machinesCommand(),
  rotateCommand(),
])
  program.addCommand(command.copyInheritedSettings(program));

program.hook('preAction', (command) => {
  setDebugOutput(command.optsWithGlobals<{ debug?: boolean }>().debug === true);
});

// commander shows the root help for `strata nosuch --help` and exits 0; an unknown command is a usage error
// whatever flags follow it.
const operand = process.argv.slice(2).find((word) => !word.startsWith('-'));
const known = new Set(program.commands.flatMap((command) => [command.name(), ...command.aliases()]).concat('help'));
if (operand !== undefined && !known.has(operand)) {
  process.stderr.write(`strata: unknown command '${operand}' (run \`strata --help\` for the commands)\n`);
  process.exit(2);
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Whatever a command did not handle itself: its message, and the stack only with --debug.
  printError(error, 'strata: ');
  process.exitCode = 1;
}
