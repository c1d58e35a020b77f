// For a config on Strata's node image (os.name strata): the release its machines install, from this installer's own
// build of the image (cached, built once), and the check that the boot server serves that very release.
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClusterConfig } from '@strata/assets';
import { sha256File } from '@strata/binaries';
import { copyFileAtomic, PUBLIC_FILE_MODE } from '@strata/host';
import { ensureNodeImage, type NodeImage } from '@strata/node-image';
import {
  NODE_IMAGE_ASSET_FILES,
  NODE_IMAGE_ASSETS_DIR,
  nodeImageAssetPaths,
  type NodeImageRelease,
} from '@strata/platform-bare-metal';

const PROBE_TIMEOUT_MS = 10_000;

export interface NodeImageForConfig {
  readonly image: NodeImage;
  readonly release: NodeImageRelease;
}

/** The files a release publishes, by their role. */
const releaseFiles = (image: NodeImage) => ({
  kernel: image.kernel,
  initrd: image.initrd,
  installImage: image.installImage,
});

/** The release of a built image: its version and the digest every machine checks its download against. */
export async function nodeImageRelease(image: NodeImage): Promise<NodeImageRelease> {
  return { version: image.version, installImageSha256: await sha256File(image.installImage) };
}

/** The node image and its release for a strata config; undefined for any other OS. */
export async function nodeImageFor(
  config: Pick<ClusterConfig, 'os'>,
  progress: (message: string) => void,
): Promise<NodeImageForConfig | undefined> {
  if (config.os.name !== 'strata') return undefined;
  progress("checking Strata's node image (built once, then cached)");
  const image = await ensureNodeImage({ progress });
  return { image, release: await nodeImageRelease(image) };
}

/**
 * Whether the boot server serves the release the machines will install, as its assets: each file answered 200, and
 * the install image of the same size as this installer's (its digest is checked by every machine as it installs).
 * Failures say which file and how to publish the release.
 */
export async function checkServedNodeImage(endpoint: string, found: NodeImageForConfig): Promise<string[]> {
  const { image, release } = found;
  const paths = nodeImageAssetPaths(release.version);
  const local = releaseFiles(image);
  const failures: string[] = [];
  for (const key of ['kernel', 'initrd', 'installImage'] as const) {
    const url = new URL(paths[key], endpoint).toString();
    let answer: Response;
    try {
      answer = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    } catch (error) {
      failures.push(
        `the boot server did not answer HEAD ${url}: ${error instanceof Error ? error.message : String(error)}`,
      );
      continue;
    }
    const size = (await stat(local[key])).size;
    const served = Number(answer.headers.get('content-length') ?? Number.NaN);
    if (answer.ok && served === size) continue;
    failures.push(
      answer.ok
        ? `the boot server serves ${url} with ${served} bytes, but node image ${release.version}'s ${NODE_IMAGE_ASSET_FILES[key]} has ${size}: publish this release again`
        : `the boot server answered HEAD ${url} with ${answer.status}`,
    );
  }
  if (failures.length === 0) return [];
  return [
    `the boot server does not serve node image ${release.version}, which the machines install:\n  ${failures.join('\n  ')}\n` +
      "  publish it: strata node-image publish --assets-path <the boot server's --assets-path>",
  ];
}

export interface PublishedNodeImage {
  readonly version: string;
  /** The release's directory under the assets path. */
  readonly dir: string;
  readonly files: { readonly kernel: string; readonly initrd: string; readonly installImage: string };
}

/**
 * Copies the image's kernel, initramfs and install image into a boot server's assets directory as
 * strata/<version>/, each file whole or not at all (`copyFileAtomic`), readable by the server.
 */
export async function publishNodeImage(image: NodeImage, assetsPath: string): Promise<PublishedNodeImage> {
  const relative = NODE_IMAGE_ASSETS_DIR.replace(/^\/assets\//, '');
  const dir = join(assetsPath, relative, image.version);
  await mkdir(dir, { recursive: true });
  const sources = releaseFiles(image);
  const files = { kernel: '', initrd: '', installImage: '' };
  for (const key of ['kernel', 'initrd', 'installImage'] as const) {
    const target = join(dir, NODE_IMAGE_ASSET_FILES[key]);
    await copyFileAtomic(sources[key], target, PUBLIC_FILE_MODE);
    files[key] = target;
  }
  return { version: image.version, dir, files };
}
