import { mkdir } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import {
  containerCommandLine,
  execCommandLine,
  UnmappedExecutableError,
  type CommandContext,
  type CommandLine,
} from './container-command.ts';
import { containerEnv, type EnvContext } from './container-env.ts';
import type { ContainerPlan } from './container-runner.ts';
import { lookupIn } from './expansion.ts';
import { ImageTagRefusedError, type ImageMap } from './image-map.ts';
import { containerMounts, pathRewriter, volumeEnv } from './volume-mounts.ts';
import type { PodVolumes } from './volumes.ts';

export interface PlanContext extends EnvContext {
  readonly pod: V1Pod;
  readonly images: ImageMap;
  readonly volumes: PodVolumes;
  /** `<stateDir>/pods/<uid>`. */
  readonly podDir: string;
  /** `<stateDir>/pods/<namespace>_<name>_<uid>`. */
  readonly logDir: string;
}

/** The kubelet's default terminationMessagePath. */
export const DEFAULT_TERMINATION_MESSAGE_PATH = '/dev/termination-log';

/** What a process inherits from this machine; the container's own env wins over it. */
function hostEnv(containerDir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'TMPDIR']) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  // A program that writes to ~ must not write to the home of whoever runs Strata.
  env['HOME'] = containerDir;
  return env;
}

const inside = (dir: string, path: string): boolean => {
  const rel = relative(dir, path);
  return !rel.startsWith('..') && !isAbsolute(rel);
};

/** The process, environment and directories of one container, as the kubelet would set them up. */
export async function planContainer(container: V1Container, context: PlanContext): Promise<ContainerPlan> {
  const image = container.image ?? '';
  const decision = context.images.decide(image);
  const entry = decision !== undefined && 'entry' in decision ? decision.entry : undefined;
  const env = await containerEnv(container, context);
  const mounts = await containerMounts(container, (name) => context.volumes.dir(name), lookupIn(env));
  // The kubelet mounts a file of its own at terminationMessagePath; a process gets that path rewritten to one, as
  // mounts are, and the runner reads it back when the container ends.
  const containerDir = join(context.podDir, 'containers', container.name);
  const terminationMessageFile = join(containerDir, 'termination-log');
  const rewrite = pathRewriter([
    ...mounts,
    {
      name: 'termination-log',
      mountPath: container.terminationMessagePath ?? DEFAULT_TERMINATION_MESSAGE_PATH,
      path: terminationMessageFile,
    },
  ]);
  const containerEnvironment = new Map([...env].map(([name, value]) => [name, rewrite(value)]));

  // The container's writable layer: its default working directory and home.
  await mkdir(containerDir, { recursive: true });
  // Only a workingDir inside a volume exists here; any other path would name a directory of this machine.
  const workingDir =
    container.workingDir === undefined || container.workingDir === '' ? undefined : rewrite(container.workingDir);
  const cwd = workingDir !== undefined && inside(context.podDir, workingDir) ? workingDir : containerDir;
  await mkdir(cwd, { recursive: true });

  const processEnv: Record<string, string> = {
    ...hostEnv(containerDir),
    ...entry?.env,
    HOSTNAME: context.pod.spec?.hostname ?? context.pod.metadata?.name ?? '',
    ...Object.fromEntries(containerEnvironment),
    ...Object.fromEntries(volumeEnv(mounts)),
  };

  let commandLine: CommandLine | Error;
  let execCommand: (argv: readonly string[]) => CommandLine;
  if (entry === undefined) {
    const missing =
      decision !== undefined && 'refused' in decision
        ? new ImageTagRefusedError(decision.refused, { image })
        : new UnmappedExecutableError(`no local command is mapped for image ${image}`, { image });
    commandLine = missing;
    execCommand = () => {
      throw missing;
    };
  } else {
    const commandContext: CommandContext = {
      image,
      entry,
      podDir: context.podDir,
      rewrite,
      env: lookupIn(containerEnvironment),
    };
    try {
      commandLine = containerCommandLine(container, commandContext);
    } catch (error) {
      commandLine = error instanceof Error ? error : new Error(String(error));
    }
    execCommand = (argv) => execCommandLine(argv, commandContext);
  }

  return {
    container,
    imageID: entry === undefined ? '' : `strata://${entry.command[0]}`,
    commandLine,
    env: processEnv,
    cwd,
    logFile: join(context.logDir, `${container.name}.log`),
    terminationMessageFile,
    probeTarget: { podIP: context.facts.podIP, ports: container.ports ?? [], execCommand, env: processEnv, cwd },
  };
}
