// A tiny OCI image built here, with no registry and no network: one layer of files taken from this machine (Debian's
// static busybox), packed as an OCI image layout tar that `ctr image import` takes. The machine lab's nodes need
// images the same way (a pod sandbox's pause image, test workloads), so the builder is typed, not a literal.
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { StrataError } from '@strata/api';
import { runCommand } from '@strata/host';

export class OciImageError extends StrataError {}

/** Debian's busybox-static: one binary that needs no library, so it alone makes a root file system. */
export const STATIC_BUSYBOX = '/bin/busybox';

/** A file of the image's one layer, its path without a leading slash (`bin/busybox`). */
export type ImageFile =
  | { readonly path: string; readonly copyOf: string; readonly mode: number }
  | { readonly path: string; readonly symlinkTo: string };

export interface OciImageSpec {
  /** The name `ctr image import` gives the image: `strata.test/busybox:lab`. */
  readonly name: string;
  readonly files: readonly ImageFile[];
  readonly cmd: readonly string[];
  readonly env: readonly string[];
}

interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const CONFIG = 'application/vnd.oci.image.config.v1+json';
const LAYER = 'application/vnd.oci.image.layer.v1.tar';

/** An image whose root file system is busybox and a link to it for each applet `cmd` calls (sh, echo, …). */
export function busyboxImage(name: string, cmd: readonly string[], applets: readonly string[]): OciImageSpec {
  return {
    name,
    files: [
      { path: 'bin/busybox', copyOf: STATIC_BUSYBOX, mode: 0o755 },
      ...applets.map((applet) => ({ path: `bin/${applet}`, symlinkTo: 'busybox' })),
    ],
    cmd,
    env: ['PATH=/bin'],
  };
}

/** `directory`'s contents as a tar file whose bytes depend on nothing but the contents: the same image, the same digests. */
async function reproducibleTar(directory: string, output: string): Promise<void> {
  const args = [
    '--create',
    '--file',
    output,
    '--directory',
    directory,
    '--sort=name',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--mtime=@0',
    '.',
  ];
  const result = await runCommand('tar', args);
  if (result.code !== 0) throw new OciImageError(`tar ${args.join(' ')} failed: ${result.stderr.trim()}`, { args });
}

const sha256 = (bytes: Uint8Array): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** Writes the blob under `blobs/sha256/` and returns its descriptor. */
async function addBlob(layout: string, mediaType: string, bytes: Uint8Array): Promise<Descriptor> {
  const digest = sha256(bytes);
  const path = join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
  return { mediaType, digest, size: bytes.byteLength };
}

const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

/**
 * Builds the image as an OCI image layout tar at `output`. The layer is uncompressed, owned by root and dated at the
 * epoch, so the same files give the same digests.
 */
export async function buildOciImage(spec: OciImageSpec, output: string): Promise<{ readonly manifest: string }> {
  const scratch = await mkdtemp(join(tmpdir(), 'strata-oci-image-'));
  try {
    const rootfs = join(scratch, 'rootfs');
    for (const file of spec.files) {
      const target = join(rootfs, file.path);
      await mkdir(dirname(target), { recursive: true });
      if ('symlinkTo' in file) {
        await symlink(file.symlinkTo, target);
      } else {
        await copyFile(file.copyOf, target);
        await chmod(target, file.mode);
      }
    }
    const layerTar = join(scratch, 'layer.tar');
    await reproducibleTar(rootfs, layerTar);
    const layout = join(scratch, 'layout');
    const layerBytes = await readFile(layerTar);
    const layer = await addBlob(layout, LAYER, layerBytes);
    const config = await addBlob(
      layout,
      CONFIG,
      json({
        architecture: process.arch === 'arm64' ? 'arm64' : 'amd64',
        os: 'linux',
        config: { Cmd: spec.cmd, Env: spec.env },
        // An uncompressed layer's diff ID is its own digest.
        rootfs: { type: 'layers', diff_ids: [layer.digest] },
      }),
    );
    const manifest = await addBlob(
      layout,
      MANIFEST,
      json({ schemaVersion: 2, mediaType: MANIFEST, config, layers: [layer] }),
    );
    const tag = spec.name.slice(spec.name.lastIndexOf(':') + 1);
    const index = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          ...manifest,
          annotations: { 'io.containerd.image.name': spec.name, 'org.opencontainers.image.ref.name': tag },
        },
      ],
    };
    await writeFile(join(layout, 'index.json'), json(index));
    await writeFile(join(layout, 'oci-layout'), json({ imageLayoutVersion: '1.0.0' }));
    await reproducibleTar(layout, output);
    return { manifest: manifest.digest };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
