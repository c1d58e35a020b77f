import { basename, isAbsolute, relative } from 'node:path';
import type { V1Container } from '@kubernetes/client-node';
import { StrataError } from '@strata/api';
import { expand, type VariableLookup } from './expansion.ts';
import { entryExecutables, type ImageEntry } from './image-map.ts';

/** The pod names a program its image map entry does not provide: the container cannot start. */
export class UnmappedExecutableError extends StrataError {}

export interface CommandLine {
  readonly command: string;
  readonly args: readonly string[];
}

export interface CommandContext {
  readonly image: string;
  readonly entry: ImageEntry;
  /** The pod's own directory: a program the pod brought in a volume runs as it is. */
  readonly podDir: string;
  /** Rewrites mountPaths to the volumes' directories (see volume-mounts.ts). */
  readonly rewrite: (value: string) => string;
  readonly env: VariableLookup;
}

const within = (dir: string, path: string): boolean => {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
};

/** The local program for a program named in the pod: by its file name in the entry's executables. */
export function resolveExecutable(name: string, context: CommandContext): string {
  if (isAbsolute(name) && within(context.podDir, name)) return name;
  const programs = entryExecutables(context.entry);
  const found = programs.get(basename(name));
  if (found !== undefined) return found;
  throw new UnmappedExecutableError(
    `"${name}" is not an executable of ${context.image} as this machine maps it (it has: ${[...programs.keys()].join(', ')})`,
    { image: context.image, executable: name },
  );
}

const prepare = (values: readonly string[], context: CommandContext): string[] =>
  values.map((value) => expand(context.rewrite(value), context.env));

/**
 * The process to run, as a kubelet combines a container with its image:
 * `command` replaces the entrypoint, `args` replace the image's default
 * arguments, and $(VAR) in both is expanded from the container's env.
 */
export function containerCommandLine(container: V1Container, context: CommandContext): CommandLine {
  const args = prepare(container.args ?? [], context);
  const [first, ...rest] = prepare(container.command ?? [], context);
  if (first !== undefined) return { command: resolveExecutable(first, context), args: [...rest, ...args] };
  const [entrypoint, ...entryArgs] = context.entry.command;
  const defaults = container.args !== undefined && container.args.length > 0 ? args : (context.entry.args ?? []);
  return { command: entrypoint, args: [...entryArgs, ...defaults] };
}

/** An exec probe's or hook's command, run beside the container as if inside it. */
export function execCommandLine(argv: readonly string[], context: CommandContext): CommandLine {
  const [first, ...rest] = prepare(argv, context);
  if (first === undefined)
    throw new UnmappedExecutableError('an exec probe has an empty command', { image: context.image });
  return { command: resolveExecutable(first, context), args: rest };
}
