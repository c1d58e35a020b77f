// The host programs the build and the boot run, each with the Debian package that provides it, so that a missing
// one fails with what to install rather than with ENOENT.
import { findHostTool as findProgram, HostToolMissingError } from '@strata/host';
import { NodeImageHostToolMissingError } from './errors.ts';

/** Program name → the Debian package that installs it. */
export const HOST_TOOL_PACKAGES = {
  mmdebstrap: 'mmdebstrap',
  'mkfs.ext4': 'e2fsprogs',
  debugfs: 'e2fsprogs',
  du: 'coreutils',
  cp: 'coreutils',
  'qemu-system-x86_64': 'qemu-system-x86',
  // The GPT disk (ADR 0087): the table, the ESP's FAT and its files, each partition copied in at its offset.
  sfdisk: 'fdisk',
  'mkfs.vfat': 'dosfstools',
  mmd: 'mtools',
  mcopy: 'mtools',
  dd: 'coreutils',
  // The boot test empties the ROOT partition of a disk's copy before packing the checked root into it.
  fallocate: 'util-linux',
  // The install image (ADR 0092): the disk, compressed.
  zstd: 'zstd',
} as const;
export type HostTool = keyof typeof HOST_TOOL_PACKAGES;

/** The shared finder (PATH, then the sbin directories), failing with this package's error and the Debian package. */
export async function findHostTool(tool: HostTool, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  try {
    return await findProgram(tool, HOST_TOOL_PACKAGES[tool], env);
  } catch (error) {
    if (!(error instanceof HostToolMissingError)) throw error;
    throw new NodeImageHostToolMissingError(error.message, { ...error.context, tool }, { cause: error });
  }
}
