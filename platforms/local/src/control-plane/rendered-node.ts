import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PUBLIC_FILE_MODE, writeFileAtomic } from '@strata/host';
import { decodeDataUrl } from '@strata/assets';
import { ignitionConfigSchema } from '@strata/assets';
import { StrataError } from '@strata/api';
import { parse } from 'yaml';
import { z } from 'zod';

// How a rendered node maps onto a directory of this machine: the local
// platform (and the proof that rendered assets run) places each controller's
// files under its own root and runs its components as local processes.

/**
 * Writes the files (and makes the directories) an Ignition config would place
 * on a node under `root` instead of `/`. Remote sources (the kubelet sysext image) are skipped: the
 * local platform runs no real kubelet.
 */
export async function materializeIgnition(ignitionPath: string, root: string): Promise<string[]> {
  const config = ignitionConfigSchema.parse(JSON.parse(await readFile(ignitionPath, 'utf8')));
  const written: string[] = [];
  for (const file of config.storage?.files ?? []) {
    const source = file.contents?.source;
    if (source === undefined || !source.startsWith('data:')) continue;
    const decoded = decodeDataUrl(source);
    if (!decoded.ok)
      throw new StrataError(`${ignitionPath}: ${file.path}: ${decoded.reason}`, { ignitionPath, path: file.path });
    // Created with its final mode: a key must never be readable by others,
    // not even between its write and a chmod.
    await writeFileAtomic(join(root, file.path), decoded.value.data, file.mode ?? PUBLIC_FILE_MODE);
    written.push(file.path);
  }
  // Directories with their mode; their owner is left as it is: this machine's users are not the node's.
  for (const directory of config.storage?.directories ?? []) {
    await mkdir(join(root, directory.path), { recursive: true, mode: directory.mode ?? 0o755 });
    written.push(directory.path);
  }
  return written;
}

/** `--flag=/abs/path` → `--flag=<root>/abs/path`; other arguments unchanged. */
export function remapFlags(args: readonly string[], root: string): string[] {
  return args.map((arg) => {
    const match = /^(--[\w-]+=)(\/.*)$/.exec(arg);
    return match ? `${match[1]}${join(root, match[2] ?? '')}` : arg;
  });
}

/** Reads an environment file (KEY=value lines), remapping absolute paths under `root`. */
export async function readEnvironmentFile(path: string, root: string): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const line of (await readFile(path, 'utf8')).split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (!match?.[1]) continue;
    const value = match[2] ?? '';
    env[match[1]] = value.startsWith('/') ? join(root, value) : value;
  }
  return env;
}

/** The part of a rendered static pod this file runs: its first container's image and command. */
const staticPodSchema = z.object({
  spec: z.object({
    containers: z.array(z.object({ image: z.string().optional(), command: z.array(z.string()).optional() })).min(1),
  }),
});

/**
 * The command line of a rendered static pod's first container, with absolute
 * paths moved under `root`: what a kubelet would run, as a local process.
 */
export async function staticPodCommand(
  manifestPath: string,
  root: string,
): Promise<{ component: string; image: string | undefined; args: string[] }> {
  const pod = staticPodSchema.safeParse(parse(await readFile(manifestPath, 'utf8')));
  if (!pod.success)
    throw new StrataError(
      `${manifestPath} is not a static pod with a container command: ${z.prettifyError(pod.error)}`,
      { manifestPath },
    );
  const container = pod.data.spec.containers[0];
  const [component, ...args] = container?.command ?? [];
  if (component === undefined) throw new StrataError(`${manifestPath} has no container command`, { manifestPath });
  return { component, image: container?.image, args: remapFlags(args, root) };
}
