import { Command } from 'commander';

/** A command whose subcommands take the settings (exit codes, help) that the program gives it, even when added first. */
export class CommandGroup extends Command {
  override copyInheritedSettings(source: Command): this {
    super.copyInheritedSettings(source);
    for (const subcommand of this.commands) subcommand.copyInheritedSettings(this);
    return this;
  }
}
