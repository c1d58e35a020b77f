// Facts about network-installing Strata's node image (os.name strata; ADR 0092): the boot server's assets hold each
// release as strata/<version>/ with the kernel, the initramfs (which carries the install program) and the
// compressed disk image; the install boot's kernel arguments name the disk, the image and its digest, and the
// installed first boot's Ignition URL, which the install program writes into the installed boot entry.
import { installKernelArguments } from '@strata/node-image';
import { z } from 'zod';

/** The boot server's assets/ directory holds node image releases as strata/<version>/<file>. */
export const NODE_IMAGE_ASSETS_DIR = '/assets/strata';
export const NODE_IMAGE_ASSET_FILES = {
  kernel: 'vmlinuz',
  initrd: 'initrd.img',
  installImage: 'disk.img.zst',
} as const;

/**
 * The node image release the machines install: its version and the SHA-256 of its `disk.img.zst`, which the install
 * program checks the download against before anything of it boots. The installer takes both from the image it built.
 */
export const nodeImageReleaseSchema = z.strictObject({
  version: z.string().regex(/^\d+\.\d+\.\d+$/, { error: 'must be a node image version such as 0.8.0' }),
  installImageSha256: z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be 64 lowercase hex digits (sha256sum)' }),
});
export type NodeImageRelease = z.output<typeof nodeImageReleaseSchema>;

/** Asset paths of a release, relative to the boot server. */
export function nodeImageAssetPaths(version: string): { kernel: string; initrd: string; installImage: string } {
  const dir = `${NODE_IMAGE_ASSETS_DIR}/${version}`;
  return {
    kernel: `${dir}/${NODE_IMAGE_ASSET_FILES.kernel}`,
    initrd: `${dir}/${NODE_IMAGE_ASSET_FILES.initrd}`,
    installImage: `${dir}/${NODE_IMAGE_ASSET_FILES.installImage}`,
  };
}

/**
 * Where the installed first boot fetches its config: the machine's installed group (its MAC and os=installed).
 * `${mac:hexhyp}` is iPXE's, expanded when it runs the boot server's script for the install boot.
 */
export function nodeImageInstalledIgnitionUrl(endpoint: string): string {
  return `${endpoint}/ignition?mac=\${mac:hexhyp}&os=installed`;
}

export interface NodeImageInstallBootInput {
  readonly endpoint: string;
  readonly release: NodeImageRelease;
  readonly installDisk: string;
  readonly consoles: readonly string[];
  readonly extraKernelArgs: readonly string[];
}

/** The install profile's boot: the release's kernel and initramfs, and the install's kernel arguments. */
export function nodeImageInstallBoot(input: NodeImageInstallBootInput): {
  kernel: string;
  initrd: string[];
  args: string[];
} {
  const paths = nodeImageAssetPaths(input.release.version);
  return {
    kernel: paths.kernel,
    initrd: [paths.initrd],
    args: [
      // UEFI iPXE hands the kernel's EFI stub its initrd by this name.
      `initrd=${NODE_IMAGE_ASSET_FILES.initrd}`,
      ...installKernelArguments({
        device: input.installDisk,
        imageUrl: `${input.endpoint}${paths.installImage}`,
        imageSha256: input.release.installImageSha256,
        ignitionUrl: nodeImageInstalledIgnitionUrl(input.endpoint),
      }),
      ...input.consoles.map((console) => `console=${console}`),
      ...input.extraKernelArgs,
    ],
  };
}
