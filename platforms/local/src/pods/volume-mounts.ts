// A process has no mount namespace, so a container's volumeMounts cannot put a
// volume at its mountPath. Instead each mount is announced in an environment
// variable, and every mountPath written in the container's command, args, env
// values and workingDir is rewritten to the directory the volume was
// materialized in. Paths inside files (a config file naming /etc/foo/ca.crt)
// and paths a program has compiled in are beyond reach; see README.md.
import { mkdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { V1Container } from '@kubernetes/client-node';
import { StrataError } from '@strata/api';
import { expand, type VariableLookup } from './expansion.ts';

export class VolumeMountError extends StrataError {}

export interface ContainerMount {
  readonly name: string;
  readonly mountPath: string;
  /** Where the mount's content really is: the volume's directory, or its subPath. */
  readonly path: string;
}

export const VOLUME_ENV_PREFIX = 'STRATA_VOLUME_';

/** STRATA_VOLUME_<NAME>: the mount's name upper-cased, every other character an underscore. */
export function volumeEnvName(mountName: string): string {
  return VOLUME_ENV_PREFIX + mountName.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

function checkSubPath(subPath: string, container: string, mount: string): string {
  const normal = posix.normalize(subPath);
  if (posix.isAbsolute(normal) || normal === '..' || normal.startsWith('../')) {
    throw new VolumeMountError(`container ${container}: subPath "${subPath}" of mount ${mount} leaves the volume`, {
      container,
      mount,
      subPath,
    });
  }
  return normal;
}

/** Resolves the container's mounts to directories, creating subPath directories as the kubelet does. */
export async function containerMounts(
  container: V1Container,
  volumeDir: (volume: string) => string | undefined,
  env: VariableLookup,
): Promise<ContainerMount[]> {
  const mounts: ContainerMount[] = [];
  for (const mount of container.volumeMounts ?? []) {
    const dir = volumeDir(mount.name);
    if (dir === undefined) {
      throw new VolumeMountError(`container ${container.name} mounts ${mount.name}, which is not a volume of the pod`, {
        container: container.name,
        mount: mount.name,
      });
    }
    const subPath =
      mount.subPathExpr !== undefined && mount.subPathExpr !== ''
        ? expand(mount.subPathExpr, env)
        : (mount.subPath ?? '');
    const path = subPath === '' ? dir : join(dir, checkSubPath(subPath, container.name, mount.name));
    if (path !== dir) await mkdir(path, { recursive: true });
    mounts.push({ name: mount.name, mountPath: mount.mountPath, path });
  }
  return mounts;
}

/** One variable per mount; when a volume is mounted twice, the first mount names it. */
export function volumeEnv(mounts: readonly ContainerMount[]): Map<string, string> {
  const env = new Map<string, string>();
  for (const mount of mounts) {
    const name = volumeEnvName(mount.name);
    if (!env.has(name)) env.set(name, mount.path);
  }
  return env;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Replaces each mountPath that appears as a whole path prefix ("/var/lib/etcd"
 * in "--data-dir=/var/lib/etcd/member", not in "/var/lib/etcd2"), longest first
 * and in one pass, so that a replaced path is never rewritten again.
 */
export function pathRewriter(mounts: readonly ContainerMount[]): (value: string) => string {
  const targets = new Map<string, string>();
  for (const mount of mounts) {
    const mountPath = posix.normalize(mount.mountPath).replace(/\/+$/, '');
    // Rewriting "/" would rewrite every absolute path.
    if (mountPath === '' || targets.has(mountPath)) continue;
    targets.set(mountPath, mount.path);
  }
  if (targets.size === 0) return (value) => value;
  const alternatives = [...targets.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const pattern = new RegExp(`(?<![\\w.\\-/])(${alternatives.join('|')})(?![\\w.\\-])`, 'g');
  return (value) => value.replace(pattern, (mountPath: string) => targets.get(mountPath) ?? mountPath);
}
