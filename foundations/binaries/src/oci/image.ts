// An OCI image made from files, with no Docker, no buildah and no daemon: one gzip'd layer, the image config and the
// manifest, each a blob addressed by its SHA-256. Every byte depends on the input alone (entries sorted, owned by
// root, dated at the epoch; gzip's header carries no time), so the same files give the same digests: a cache or a
// registry sees an unchanged image as unchanged. Programs of this machine (iptables) come in with their libraries
// (src/host-binaries.ts), and a file may carry capabilities, as `setcap` gives them, in a pax header.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { Header } from 'tar';
import { z } from 'zod';
import { StrataError } from '@strata/api';
import { hostExecutableFiles, hostExecutableSchema } from '../host-binaries.ts';

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

/** The capabilities a file may carry, by their bit in the kernel's capability sets (linux/capability.h). */
export const FILE_CAPABILITY_BITS = { CAP_NET_ADMIN: 12, CAP_NET_BIND_SERVICE: 10, CAP_NET_RAW: 13 } as const;
export type FileCapability = keyof typeof FILE_CAPABILITY_BITS;
const capabilitySchema = z.enum(Object.keys(FILE_CAPABILITY_BITS) as [FileCapability, ...FileCapability[]]);

const imageFileSchema = z.union([
  /** Bytes given here (a config file, a script). */
  z.strictObject({ path: imagePathSchema, content: z.union([z.string(), z.instanceof(Uint8Array)]), mode: modeSchema }),
  /**
   * A file of this machine, read when the image is built (a static binary). `capabilities`: file capabilities,
   * permitted and effective (`setcap cap_net_bind_service=+ep`), which a non-root process gains when it runs the file.
   */
  z.strictObject({
    path: imagePathSchema,
    hostFile: z.string().min(1),
    mode: modeSchema,
    capabilities: z.array(capabilitySchema).min(1).optional(),
  }),
  z.strictObject({ path: imagePathSchema, symlinkTo: z.string().min(1) }),
]);

export const imageSpecSchema = z.strictObject({
  files: z
    .array(imageFileSchema)
    .min(1)
    .refine((files) => new Set(files.map((file) => file.path)).size === files.length, 'each path at most once'),
  /**
   * Programs of this machine with what they load (libraries, the loader, plugins), added when the image is built, where
   * this machine has them: src/host-binaries.ts. None of their paths may be one of `files`.
   */
  hostExecutables: z.array(hostExecutableSchema).default([]),
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
  /** Extended attributes (`security.capability`), written as a pax header's `SCHILY.xattr.<name>` records. */
  readonly xattrs?: ReadonlyMap<string, Uint8Array>;
}

/**
 * The `security.capability` value `setcap <caps>=+ep` writes: struct vfs_cap_data, revision 2, little-endian — the
 * magic with the effective flag, then permitted and inheritable for bits 0–31 and for bits 32–63.
 */
export function fileCapabilityXattr(capabilities: readonly FileCapability[]): Uint8Array {
  const VFS_CAP_REVISION_2 = 0x02000000;
  const VFS_CAP_FLAGS_EFFECTIVE = 0x000001;
  let permitted = 0n;
  for (const capability of capabilities) permitted |= 1n << BigInt(FILE_CAPABILITY_BITS[capability]);
  const value = Buffer.alloc(20);
  value.writeUInt32LE(VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE, 0);
  value.writeUInt32LE(Number(permitted & 0xffffffffn), 4);
  value.writeUInt32LE(Number(permitted >> 32n), 12);
  return value;
}

/** One pax record, `<length> <key>=<value>\n`, whose length counts its own digits. The value may be any bytes. */
function paxRecord(key: string, value: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`, 'utf8'), Buffer.from(value), Buffer.from('\n')]);
  let length = body.byteLength;
  while (String(length).length + body.byteLength !== length) length = String(length).length + body.byteLength;
  return Buffer.concat([Buffer.from(String(length), 'utf8'), body]);
}

function tarHeader(
  entry: Pick<TarEntry, 'path' | 'type' | 'mode' | 'linkpath'> & { readonly size: number },
  type: TarEntry['type'] | 'ExtendedHeader' = entry.type,
): Buffer {
  const header = new Header({
    path: entry.type === 'Directory' ? `${entry.path}/` : entry.path,
    type,
    mode: entry.mode,
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
    size: entry.size,
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
  const pushData = (data: Uint8Array): void => {
    if (data.byteLength === 0) return;
    parts.push(Buffer.from(data));
    parts.push(Buffer.alloc((BLOCK - (data.byteLength % BLOCK)) % BLOCK));
  };
  for (const entry of entries) {
    if (entry.xattrs !== undefined && entry.xattrs.size > 0) {
      // A pax extended header for the entry after it, as GNU tar and Go's archive/tar (containerd's unpacker) write
      // and read extended attributes. Its own name is informative only.
      const records = Buffer.concat([...entry.xattrs].map(([name, value]) => paxRecord(`SCHILY.xattr.${name}`, value)));
      const name = `PaxHeaders/${posix.basename(entry.path)}`;
      parts.push(tarHeader({ path: name, type: 'File', mode: 0o644, size: records.byteLength }, 'ExtendedHeader'));
      pushData(records);
    }
    parts.push(tarHeader({ ...entry, size: entry.data?.byteLength ?? 0 }));
    if (entry.data !== undefined) pushData(entry.data);
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
      const xattrs =
        file.capabilities === undefined
          ? undefined
          : new Map([['security.capability', fileCapabilityXattr(file.capabilities)]]);
      entries.set(file.path, {
        path: file.path,
        type: 'File',
        mode: file.mode,
        data,
        ...(xattrs === undefined ? {} : { xattrs }),
      });
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
  const hostFiles = await hostExecutableFiles(spec.hostExecutables);
  const given = new Set(spec.files.map((file) => file.path));
  const twice = hostFiles.filter((file) => given.has(file.path)).map((file) => file.path);
  if (twice.length > 0) {
    throw new OciImageBuildError(`the spec's files and its host executables both have /${twice.join(', /')}`, {
      paths: twice,
    });
  }
  const tarBytes = tarArchive(await layerEntries([...spec.files, ...hostFiles]));
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
