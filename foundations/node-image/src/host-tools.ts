// The host programs the build and the boot run, each with the Debian package that provides it, so that a missing
// one fails with what to install rather than with ENOENT.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
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
} as const;
export type HostTool = keyof typeof HOST_TOOL_PACKAGES;

/** sbin directories too: mkfs.ext4 and debugfs live in /usr/sbin, which a non-root PATH may lack. */
const EXTRA_DIRS = ['/usr/sbin', '/sbin'];

export async function findHostTool(tool: HostTool, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const dirs = [...(env['PATH'] ?? '').split(delimiter).filter((dir) => dir.length > 0), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, tool);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new NodeImageHostToolMissingError(
    `${tool} was not found on PATH (${dirs.join(delimiter)}); install it: apt-get install ${HOST_TOOL_PACKAGES[tool]}`,
    { tool, package: HOST_TOOL_PACKAGES[tool] },
  );
}
