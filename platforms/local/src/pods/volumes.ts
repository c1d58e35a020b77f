import { access, mkdir } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type {
  V1DownwardAPIVolumeFile,
  V1Pod,
  V1ServiceAccountTokenProjection,
  V1Volume,
} from '@kubernetes/client-node';
import { StrataError } from '@strata/api';
import { writeFileAtomic } from '@strata/host';
import { fieldRefValue, resourceFieldRefUnsupported, type PodFacts } from './downward-api.ts';
import {
  configMapData,
  DEFAULT_VOLUME_FILE_MODE,
  projectKeys,
  secretData,
  secretMode,
  type VolumeFile,
} from './key-projection.ts';
import { hostPathOnNode } from '../storage/local-volumes.ts';
import { PodObjectError, type PodObjects } from './pod-objects.ts';

export class UnsupportedVolumeError extends StrataError {}
export class VolumePathError extends StrataError {}

/** The kubelet's default lifetime of a projected token. */
const DEFAULT_TOKEN_SECONDS = 3600;
/** The kubelet renews a token once 80% of its lifetime has passed. */
const TOKEN_RENEWAL_FRACTION = 0.8;
const TOKEN_RETRY_MS = 30_000;

export interface VolumeContext {
  readonly pod: V1Pod;
  /** The node's state directory: a persistent volume's path on the node is below its `root`. */
  readonly nodeStateDir: string;
  /** `<stateDir>/pods/<uid>`; volumes go to its `volumes/<name>`. */
  readonly podDir: string;
  readonly facts: PodFacts;
  readonly objects: PodObjects;
  /** Called after each renewal of a token: undefined when it worked, else why not (it is retried). */
  readonly onTokenRenewal?: (problem: string | undefined) => void;
}

/** The pod's volumes on disk; `close` stops renewing their tokens. */
export interface PodVolumes {
  dir(volume: string): string | undefined;
  close(): void;
}

interface TokenFile {
  readonly path: string;
  readonly projection: V1ServiceAccountTokenProjection;
  readonly mode: number;
}

interface VolumeContent {
  readonly files: VolumeFile[];
  readonly tokens: TokenFile[];
}

export function volumesRoot(podDir: string): string {
  return join(podDir, 'volumes');
}

function downwardFiles(items: readonly V1DownwardAPIVolumeFile[], defaultMode: number, facts: PodFacts): VolumeFile[] {
  return items.map((item) => {
    if (item.resourceFieldRef !== undefined) throw resourceFieldRefUnsupported(item.resourceFieldRef);
    if (item.fieldRef === undefined)
      throw new UnsupportedVolumeError(`downward API item ${item.path} names no field`, { path: item.path });
    return { path: item.path, content: fieldRefValue(item.fieldRef, facts, true), mode: item.mode ?? defaultMode };
  });
}

const volumeType = (volume: V1Volume): string => Object.keys(volume).find((key) => key !== 'name') ?? '(none)';

/** A volume whose directory outlives the pod: a claim's persistent volume on this node. */
interface PersistentDirectory {
  readonly persistent: string;
}

async function volumeContent(
  volume: V1Volume,
  context: VolumeContext,
): Promise<VolumeContent | 'emptyDir' | PersistentDirectory> {
  const { objects, facts } = context;
  const namespace = context.pod.metadata?.namespace ?? 'default';
  if (volume.emptyDir !== undefined) return 'emptyDir';
  if (volume.persistentVolumeClaim !== undefined) {
    const { path } = await objects.claimedVolume(volume.persistentVolumeClaim.claimName, facts.nodeName);
    const directory = hostPathOnNode(context.nodeStateDir, path);
    try {
      await access(directory);
    } catch (error) {
      // As the kubelet fails a local volume whose path is missing: the provisioner makes it before the volume.
      throw new PodObjectError(
        `volume ${volume.name}: the directory ${path} of claim ${volume.persistentVolumeClaim.claimName} does not exist on node ${facts.nodeName}`,
        { volume: volume.name, path },
        { cause: error },
      );
    }
    return { persistent: directory };
  }
  if (volume.configMap !== undefined) {
    const { name, items, defaultMode, optional } = volume.configMap;
    const configMap = await objects.configMap(name ?? '', optional ?? false);
    const projection = {
      source: `ConfigMap ${namespace}/${name ?? ''}`,
      items,
      optional: optional ?? false,
      secret: false,
    };
    return {
      files: projectKeys(configMapData(configMap), {
        ...projection,
        defaultMode: defaultMode ?? DEFAULT_VOLUME_FILE_MODE,
      }),
      tokens: [],
    };
  }
  if (volume.secret !== undefined) {
    const { secretName, items, defaultMode, optional } = volume.secret;
    const secret = await objects.secret(secretName ?? '', optional ?? false);
    const projection = {
      source: `Secret ${namespace}/${secretName ?? ''}`,
      items,
      optional: optional ?? false,
      secret: true,
    };
    return {
      files: projectKeys(secretData(secret), { ...projection, defaultMode: defaultMode ?? DEFAULT_VOLUME_FILE_MODE }),
      tokens: [],
    };
  }
  if (volume.downwardAPI !== undefined) {
    return {
      files: downwardFiles(
        volume.downwardAPI.items ?? [],
        volume.downwardAPI.defaultMode ?? DEFAULT_VOLUME_FILE_MODE,
        facts,
      ),
      tokens: [],
    };
  }
  if (volume.projected !== undefined) {
    const defaultMode = volume.projected.defaultMode ?? DEFAULT_VOLUME_FILE_MODE;
    const content: VolumeContent = { files: [], tokens: [] };
    for (const source of volume.projected.sources ?? []) {
      if (source.configMap !== undefined) {
        const { name, items, optional } = source.configMap;
        const configMap = await objects.configMap(name ?? '', optional ?? false);
        const projection = {
          source: `ConfigMap ${namespace}/${name ?? ''}`,
          items,
          optional: optional ?? false,
          secret: false,
          defaultMode,
        };
        content.files.push(...projectKeys(configMapData(configMap), projection));
      } else if (source.secret !== undefined) {
        const { name, items, optional } = source.secret;
        const secret = await objects.secret(name ?? '', optional ?? false);
        const projection = {
          source: `Secret ${namespace}/${name ?? ''}`,
          items,
          optional: optional ?? false,
          secret: true,
          defaultMode,
        };
        content.files.push(...projectKeys(secretData(secret), projection));
      } else if (source.downwardAPI !== undefined) {
        content.files.push(...downwardFiles(source.downwardAPI.items ?? [], defaultMode, facts));
      } else if (source.serviceAccountToken !== undefined) {
        content.tokens.push({
          path: source.serviceAccountToken.path,
          projection: source.serviceAccountToken,
          mode: secretMode(defaultMode),
        });
      } else {
        const kind = Object.keys(source)[0] ?? '(none)';
        throw new UnsupportedVolumeError(
          `volume ${volume.name}: projected source ${kind} is not supported by process pods`,
          {
            volume: volume.name,
            source: kind,
          },
        );
      }
    }
    return content;
  }
  const type = volumeType(volume);
  throw new UnsupportedVolumeError(
    `volume ${volume.name} is a ${type} volume; process pods support emptyDir, persistentVolumeClaim, configMap, secret, downwardAPI and projected`,
    { volume: volume.name, type },
  );
}

/** The file's place in the volume; the API server forbids ".." already, this keeps a bad path from escaping anyway. */
function inside(dir: string, path: string): string {
  const target = resolve(dir, path);
  const rel = relative(dir, target);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || resolve(dir, rel) !== target) {
    throw new VolumePathError(`the volume path "${path}" leaves the volume`, { path });
  }
  return target;
}

class TokenRenewals {
  readonly #timers = new Set<NodeJS.Timeout>();
  #closed = false;
  readonly #context: VolumeContext;

  constructor(context: VolumeContext) {
    this.#context = context;
  }

  /** Requests and writes the token, then schedules its renewal. */
  async write(dir: string, file: TokenFile): Promise<void> {
    const requestedSeconds = file.projection.expirationSeconds ?? DEFAULT_TOKEN_SECONDS;
    const token = await this.#context.objects.serviceAccountToken({
      ...(file.projection.audience === undefined ? {} : { audience: file.projection.audience }),
      expirationSeconds: requestedSeconds,
    });
    await writeFileAtomic(inside(dir, file.path), token.token, file.mode);
    // The API server may extend a token's life; the kubelet still renews it on the requested schedule.
    const lifetimeMs = Math.min(requestedSeconds * 1000, token.expiresAt.getTime() - Date.now());
    this.#schedule(dir, file, Math.max(0, lifetimeMs * TOKEN_RENEWAL_FRACTION));
  }

  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #schedule(dir: string, file: TokenFile, delayMs: number): void {
    if (this.#closed) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#closed) return;
      this.write(dir, file).then(
        () => this.#context.onTokenRenewal?.(undefined),
        (error: unknown) => {
          this.#context.onTokenRenewal?.(error instanceof Error ? error.message : String(error));
          this.#schedule(dir, file, TOKEN_RETRY_MS);
        },
      );
    }, delayMs);
    // Renewal must not keep a process alive whose pods are all gone.
    timer.unref();
    this.#timers.add(timer);
  }
}

/**
 * Writes every volume of the pod under `<podDir>/volumes/<name>`. Contents are
 * read once: later changes to a config map or secret do not reach a running
 * pod (tokens, which expire, are renewed).
 */
export async function materializeVolumes(context: VolumeContext): Promise<PodVolumes> {
  const root = volumesRoot(context.podDir);
  const dirs = new Map<string, string>();
  const renewals = new TokenRenewals(context);
  try {
    for (const volume of context.pod.spec?.volumes ?? []) {
      const content = await volumeContent(volume, context);
      if (typeof content === 'object' && 'persistent' in content) {
        // Mounted where it is, not under the pod: removing the pod's directory must not touch it.
        dirs.set(volume.name, content.persistent);
        continue;
      }
      const dir = join(root, volume.name);
      await mkdir(dir, { recursive: true });
      if (content !== 'emptyDir') {
        for (const file of content.files) await writeFileAtomic(inside(dir, file.path), file.content, file.mode);
        for (const token of content.tokens) await renewals.write(dir, token);
      }
      dirs.set(volume.name, dir);
    }
  } catch (error) {
    renewals.close();
    throw error;
  }
  return { dir: (volume) => dirs.get(volume), close: () => renewals.close() };
}
