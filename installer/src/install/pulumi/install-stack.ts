// The install's Pulumi stack: one per cluster directory, opened with the
// pinned engine, and made safe to update again after a run was killed.
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { PulumiFn, Stack } from '@pulumi/pulumi/automation/index.js';
import { resolveBinary } from '@strata/binaries';
import { openStack, preparePulumiTools } from '@strata/pulumi-workspace';
import { waitFor } from '@strata/host';
import { z } from 'zod';
import type { DirectoryIdentity, InstallDirectory } from '../cluster-dir.ts';
import { isAlive, processesOf } from '../local/processes.ts';

export const PROJECT_NAME = 'strata';

/**
 * PULUMI_HOME of a cluster directory's engine: where it looks for provider
 * plugins. The cloud drivers' preflight looks here too, so that a plugin it
 * finds is one the engine will load.
 */
export function installPulumiHome(directory: InstallDirectory): string {
  return join(directory.stateDir, '.pulumi-home');
}

export async function openInstallStack(
  directory: InstallDirectory,
  identity: DirectoryIdentity,
  program: PulumiFn,
): Promise<Stack> {
  const tools = await preparePulumiTools({
    pulumiBinary: await resolveBinary('pulumi'),
    dir: join(directory.stateDir, 'tools'),
  });
  return openStack({
    tools,
    projectName: PROJECT_NAME,
    stackName: identity.cluster,
    program,
    stateDir: directory.stateDir,
    pulumiHome: installPulumiHome(directory),
    passphrase: await directory.passphrase(),
    backendUrl: identity.backend,
    workDir: directory.workspaceDir,
  });
}

/**
 * Stops what a killed install left of the engine: the Pulumi CLI and its
 * plugins, which run in the workspace directory. Called only under the
 * directory's install lock, so none of them belongs to a live install.
 */
export async function reapEngineProcesses(directory: InstallDirectory): Promise<number[]> {
  const leftovers = (await processesOf(directory.stateDir)).map((info) => info.pid);
  for (const pid of leftovers) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
  await waitFor('the interrupted engine processes to exit', () => (leftovers.some(isAlive) ? undefined : true), {
    timeoutMs: 10_000,
    intervalMs: 50,
  });
  return leftovers;
}

/**
 * The paths of the files whose names end in `suffix` under the directory's own file backend (`<state>/.pulumi/<under>`):
 * none when the state is kept elsewhere, or nothing was written there yet.
 */
async function fileBackendFiles(
  directory: InstallDirectory,
  identity: DirectoryIdentity,
  under: string,
  suffix: string,
): Promise<string[]> {
  if (!identity.backend.startsWith('file:')) return [];
  const dir = join(directory.stateDir, '.pulumi', under);
  let entries: string[];
  try {
    entries = await readdir(dir, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries.filter((entry) => entry.endsWith(suffix)).map((entry) => join(dir, entry));
}

/**
 * The file backend's lock of a stack whose update was killed stays behind and
 * blocks every later update. Under the install lock no other engine runs for
 * this directory, so any lock left there is stale.
 */
export async function removeStaleStackLocks(
  directory: InstallDirectory,
  identity: DirectoryIdentity,
): Promise<string[]> {
  const locks = await fileBackendFiles(directory, identity, 'locks', '.json');
  for (const lock of locks) await rm(lock, { force: true });
  return locks;
}

/**
 * The file backend's metadata sidecars (`<blob>.attrs`) that do not parse: the engine wrote them in place before it
 * was told not to (`engineBackendUrl`), and a kill in the middle of one left it torn, which fails every load of the
 * stack. The engine reads nothing it needs from them, so a torn one is removed; whole ones are left as they are.
 */
export async function removeTornSidecars(directory: InstallDirectory, identity: DirectoryIdentity): Promise<string[]> {
  const torn: string[] = [];
  for (const path of await fileBackendFiles(directory, identity, '', '.attrs')) {
    const text = await readFile(path, 'utf8');
    try {
      JSON.parse(text);
    } catch {
      // Not JSON: a write cut short (often empty). The parse error itself says nothing more than that.
      torn.push(path);
      await rm(path, { force: true });
    }
  }
  return torn;
}

const deploymentSchema = z
  .object({
    resources: z.array(z.object({ urn: z.string(), type: z.string(), id: z.string().optional() })).optional(),
    pending_operations: z
      .array(z.object({ type: z.string(), resource: z.object({ urn: z.string(), type: z.string() }) }))
      .optional(),
  })
  .optional();

/** The parts of the stack's export the installer reads: its resources and the operations a kill left in flight. */
export async function exportedState(stack: Stack): Promise<{
  resources: { urn: string; type: string; id?: string | undefined }[];
  pending: { type: string; resource: { urn: string; type: string } }[];
}> {
  const deployment = deploymentSchema.parse((await stack.exportStack()).deployment);
  return { resources: deployment?.resources ?? [], pending: deployment?.pending_operations ?? [] };
}
