// An OCI image made from files, with no Docker, no buildah and no daemon: one gzip'd layer, the image config and the
// manifest, each a blob addressed by its SHA-256. Every byte depends on the input alone (entries sorted, owned by
// root, dated at the epoch; gzip's header carries no time), so the same files give the same digests: a cache or a
// registry sees an unchanged image as unchanged.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { Header } from 'tar';
import { z } from 'zod';
import { StrataError } from '@strata/api';

/** The spec was not a valid image, or a file it names could not be read. `context`: what was wrong. */
export class OciImageBuildError extends StrataError {}

export const OCI_MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG_MEDIA_TYPE = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER_GZIP_MEDIA_TYPE = 'application/vnd.oci.image.layer.v1.tar+gzip';

/** A path inside the image, without the leading slash: `pause`, `usr/local/bin/kube-proxy`. */
const imagePathSchema = z
  .string()
  .min(1)
  .refine(
    (path) => !path.startsWith('/') && path.split('/').every((part) => part !== '' && part !== '.' && part !== '..'),
    'a relative path without empty, "." or ".." parts (e.g. bin/pause)',
  );
const modeSchema = z.number().int().min(0).max(0o7777);

const imageFileSchema = z.union([
  /** Bytes given here (a config file, a script). */
  z.strictObject({ path: imagePathSchema, content: z.union([z.string(), z.instanceof(Uint8Array)]), mode: modeSchema }),
  /** A file of this machine, read when the image is built (a static binary). */
  z.strictObject({ path: imagePathSchema, hostFile: z.string().min(1), mode: modeSchema }),
  z.strictObject({ path: imagePathSchema, symlinkTo: z.string().min(1) }),
]);

export const imageSpecSchema = z.strictObject({
  files: z
    .array(imageFileSchema)
    .min(1)
    .refine((files) => new Set(files.map((file) => file.path)).size === files.length, 'each path at most once'),
  entrypoint: z.array(z.string().min(1)).optional(),
  cmd: z.array(z.string()).optional(),
  /** `NAME=value` each. */
  env: z.array(z.string().regex(/^[^=]+=/, 'NAME=value')).default([]),
  /** `uid[:gid]` the container runs as, as a Dockerfile's USER. */
  user: z
    .string()
    .regex(/^\d+(:\d+)?$/, 'uid or uid:gid')
    .optional(),
  workingDir: z.string().startsWith('/').optional(),
  architecture: z.enum(['amd64', 'arm64']).default('amd64'),
});

export type ImageSpec = z.input<typeof imageSpecSchema>;
export type ImageFile = z.input<typeof imageFileSchema>;

/** A blob and what a manifest says of it. */
export interface Blob {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly bytes: Uint8Array;
}

export interface OciImage {
  readonly layer: Blob;
  /** The layer's uncompressed digest: the config's `rootfs.diff_ids`, what containerd checks after unpacking. */
  readonly diffId: string;
  readonly config: Blob;
  readonly manifest: Blob;
}

export const sha256Digest = (bytes: Uint8Array): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

function blob(mediaType: string, bytes: Uint8Array): Blob {
  return { mediaType, digest: sha256Digest(bytes), size: bytes.byteLength, bytes };
}

const gzipAsync = promisify(gzip);
const EPOCH = new Date(0);
const BLOCK = 512;

interface TarEntry {
  readonly path: string;
  readonly type: 'File' | 'Directory' | 'SymbolicLink';
  readonly mode: number;
  readonly data?: Uint8Array;
  readonly linkpath?: string;
}

function tarHeader(entry: TarEntry): Buffer {
  const header = new Header({
    path: entry.type === 'Directory' ? `${entry.path}/` : entry.path,
    type: entry.type,
    mode: entry.mode,
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
    size: entry.data?.byteLength ?? 0,
    mtime: EPOCH,
    ...(entry.linkpath === undefined ? {} : { linkpath: entry.linkpath }),
  });
  const block = Buffer.alloc(BLOCK);
  // A path or link too long for a ustar header would need a pax header; an image's few files never do.
  if (header.encode(block, 0)) {
    throw new OciImageBuildError(`${entry.path} is too long for a tar header without pax extensions`, {
      path: entry.path,
    });
  }
  return block;
}

/** A ustar archive of the entries, in the order given, with the two zero blocks that end it. */
function tarArchive(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    parts.push(tarHeader(entry));
    if (entry.data !== undefined && entry.data.byteLength > 0) {
      parts.push(Buffer.from(entry.data));
      const padding = (BLOCK - (entry.data.byteLength % BLOCK)) % BLOCK;
      parts.push(Buffer.alloc(padding));
    }
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

/** Every file with its parent directories (0755) before it, sorted by path so that input order does not matter. */
async function layerEntries(files: z.output<typeof imageFileSchema>[]): Promise<TarEntry[]> {
  const entries = new Map<string, TarEntry>();
  const clash = (path: string): OciImageBuildError =>
    new OciImageBuildError(`/${path} is both a file and another file's directory`, { path });
  for (const file of files) {
    for (let dir = posix.dirname(file.path); dir !== '.'; dir = posix.dirname(dir)) {
      const existing = entries.get(dir);
      if (existing === undefined) entries.set(dir, { path: dir, type: 'Directory', mode: 0o755 });
      else if (existing.type !== 'Directory') throw clash(dir);
    }
    if (entries.get(file.path)?.type === 'Directory') throw clash(file.path);
    if ('symlinkTo' in file) {
      entries.set(file.path, { path: file.path, type: 'SymbolicLink', mode: 0o777, linkpath: file.symlinkTo });
    } else if ('hostFile' in file) {
      const data = await readFile(file.hostFile).catch((error: unknown) => {
        throw new OciImageBuildError(`cannot read ${file.hostFile} for the image's /${file.path}: ${String(error)}`, {
          path: file.path,
          hostFile: file.hostFile,
        });
      });
      entries.set(file.path, { path: file.path, type: 'File', mode: file.mode, data });
    } else {
      const data = typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content;
      entries.set(file.path, { path: file.path, type: 'File', mode: file.mode, data });
    }
  }
  return [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

const json = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value), 'utf8');

/** Builds the image in memory; validates the spec first. */
export async function buildImage(input: ImageSpec): Promise<OciImage> {
  const parsed = imageSpecSchema.safeParse(input);
  if (!parsed.success) {
    throw new OciImageBuildError(`not a valid image: ${z.prettifyError(parsed.error)}`, {
      issues: parsed.error.issues,
    });
  }
  const spec = parsed.data;
  const tarBytes = tarArchive(await layerEntries(spec.files));
  // gzip's header has a time field; Node writes 0 there, and the OS byte is fixed per platform.
  // In zlib's thread pool: a 70 MB binary takes seconds to compress.
  const layer = blob(OCI_LAYER_GZIP_MEDIA_TYPE, await gzipAsync(tarBytes, { level: 9 }));
  const diffId = sha256Digest(tarBytes);
  const config = blob(
    OCI_CONFIG_MEDIA_TYPE,
    json({
      architecture: spec.architecture,
      os: 'linux',
      config: {
        ...(spec.user === undefined ? {} : { User: spec.user }),
        ...(spec.env.length === 0 ? {} : { Env: spec.env }),
        ...(spec.entrypoint === undefined ? {} : { Entrypoint: spec.entrypoint }),
        ...(spec.cmd === undefined ? {} : { Cmd: spec.cmd }),
        ...(spec.workingDir === undefined ? {} : { WorkingDir: spec.workingDir }),
      },
      rootfs: { type: 'layers', diff_ids: [diffId] },
    }),
  );
  const descriptor = ({ mediaType, digest, size }: Blob): { mediaType: string; digest: string; size: number } => ({
    mediaType,
    digest,
    size,
  });
  const manifest = blob(
    OCI_MANIFEST_MEDIA_TYPE,
    json({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST_MEDIA_TYPE,
      config: descriptor(config),
      layers: [descriptor(layer)],
    }),
  );
  return { layer, diffId, config, manifest };
}
