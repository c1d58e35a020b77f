import type { V1ConfigMap, V1KeyToPath, V1Secret } from '@kubernetes/client-node';
import { PodObjectError } from './pod-objects.ts';

/** A file a volume will hold, relative to the volume's directory. */
export interface VolumeFile {
  readonly path: string;
  readonly content: string | Uint8Array;
  readonly mode: number;
}

/** The API server defaults every volume's defaultMode to this. */
export const DEFAULT_VOLUME_FILE_MODE = 0o644;

/**
 * Secrets and tokens sit on a disk that every local user shares, with no
 * container to hide them: only the owner bits of their mode are kept.
 */
export function secretMode(mode: number): number {
  return mode & 0o700;
}

export function configMapData(configMap: V1ConfigMap | undefined): Map<string, Uint8Array | string> {
  const data = new Map<string, Uint8Array | string>(Object.entries(configMap?.data ?? {}));
  for (const [key, value] of Object.entries(configMap?.binaryData ?? {})) data.set(key, Buffer.from(value, 'base64'));
  return data;
}

export function secretData(secret: V1Secret | undefined): Map<string, Uint8Array | string> {
  return new Map(Object.entries(secret?.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]));
}

export interface KeyProjection {
  /** e.g. "ConfigMap ns/name", for messages. */
  readonly source: string;
  readonly items?: readonly V1KeyToPath[] | undefined;
  readonly defaultMode: number;
  readonly optional: boolean;
  readonly secret: boolean;
}

/** Every key as a file named after it, or only the listed items at their paths and modes. */
export function projectKeys(data: ReadonlyMap<string, Uint8Array | string>, projection: KeyProjection): VolumeFile[] {
  const mode = (requested: number | undefined): number => {
    const chosen = requested ?? projection.defaultMode;
    return projection.secret ? secretMode(chosen) : chosen;
  };
  if (projection.items === undefined || projection.items.length === 0) {
    return [...data].map(([key, content]) => ({ path: key, content, mode: mode(undefined) }));
  }
  const files: VolumeFile[] = [];
  for (const item of projection.items) {
    const content = data.get(item.key);
    if (content === undefined) {
      if (projection.optional) continue;
      throw new PodObjectError(`${projection.source} has no key ${item.key}`, {
        source: projection.source,
        key: item.key,
      });
    }
    files.push({ path: item.path, content, mode: mode(item.mode) });
  }
  return files;
}
