import { Command } from 'commander';
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
/**
 * Each command is loaded only when it runs: together they import every platform's Pulumi SDK,
 * Ink and the Kubernetes client, seconds of start-up that `strata render` or `--version` never need.
 * The root help and `strata help` load them all, in this order.
 */
const COMMANDS = {
  install: async () => (await import('./commands/install.ts')).installCommand(),
  plan: async () => (await import('./commands/plan.ts')).planCommand(),
  status: async () => (await import('./commands/status.ts')).statusCommand(),
  destroy: async () => (await import('./commands/destroy.ts')).destroyCommand(),
  up: async () => (await import('./commands/up.ts')).upCommand(),
  down: async () => (await import('./commands/down.ts')).downCommand(),
  update: async () => (await import('./commands/update.ts')).updateCommand(),
  render: async () => (await import('./commands/render.ts')).renderCommand(),
  binaries: async () => (await import('./commands/binaries.ts')).binariesCommand(),
  'boot-server': async () => (await import('./commands/boot-server.ts')).bootServerCommand(),
  machines: async () => (await import('./commands/machines.ts')).machinesCommand(),
  lab: async () => (await import('./commands/lab.ts')).labCommand(),
  'node-image': async () => (await import('./commands/node-image.ts')).nodeImageCommand(),
  rotate: async () => (await import('./commands/rotate.ts')).rotateCommand(),
} satisfies Record<string, () => Promise<Command>>;

function isCommandName(word: string): word is keyof typeof COMMANDS {
  return Object.hasOwn(COMMANDS, word);
}

program.hook('preAction', (command) => {
  setDebugOutput(command.optsWithGlobals<{ debug?: boolean }>().debug === true);
});

// commander shows the root help for `strata nosuch --help` and exits 0; an unknown command is a usage error
// whatever flags follow it.
const operand = process.argv.slice(2).find((word) => !word.startsWith('-'));
if (operand !== undefined && operand !== 'help' && !isCommandName(operand)) {
  process.stderr.write(`strata: unknown command '${operand}' (run \`strata --help\` for the commands)\n`);
  process.exit(2);
}
const flags = new Set(process.argv.slice(2).filter((word) => word.startsWith('-')));
const versionOnly = operand === undefined && (flags.has('-v') || flags.has('--version')) && !flags.has('--help');
const wanted =
  operand !== undefined && isCommandName(operand) ? [COMMANDS[operand]] : versionOnly ? [] : Object.values(COMMANDS);
// Subcommands take the exit-code and help behaviour set above.
for (const load of wanted) program.addCommand((await load()).copyInheritedSettings(program));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Whatever a command did not handle itself: its message, and the stack only with --debug.
  printError(error, 'strata: ');
  process.exitCode = 1;
}
