import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { decodeDataUrl } from '../ignition/data-url.ts';
import { ignitionConfigSchema } from '../ignition/schema.ts';

/**
 * Writes the files an Ignition config would place on a node under `root`
 * instead of `/`, so that a test can run a node's components as local
 * processes with the rendered configuration. Remote sources are skipped.
 */
export async function materializeIgnition(ignitionPath: string, root: string): Promise<string[]> {
  const config = ignitionConfigSchema.parse(JSON.parse(await readFile(ignitionPath, 'utf8')));
  const written: string[] = [];
  for (const file of config.storage?.files ?? []) {
    const source = file.contents?.source;
    if (source === undefined || !source.startsWith('data:')) continue;
    const decoded = decodeDataUrl(source);
    if (!decoded.ok) throw new Error(`${file.path}: ${decoded.reason}`);
    const target = join(root, file.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, decoded.value.data);
    await chmod(target, file.mode ?? 0o644);
    written.push(file.path);
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
