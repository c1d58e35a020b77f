// Update payloads for A/B tests, derived from the image's own /usr file system (usr.ext4) without mounting anything:
// debugfs rewrites its os-release to another version. A real second image takes a whole build; what the A/B step must
// prove is that the machine takes what the payload holds, whatever its version. A payload that must not boot is a
// small file system of its own (see `breakInitramfs`).
import { copyFile, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256File } from '@strata/binaries';
import { runCommand } from '@strata/host';
import { USR_BOOT_DIR_IN_USR } from '../disk-layout.ts';
import { NodeImageBootError } from '../errors.ts';
import { findHostTool } from '../host-tools.ts';
import type { NodeImage } from '../image.ts';
import { usrFileSystemArgs } from '../build.ts';
import { OS_RELEASE } from '../recipe.ts';

export interface UsrPayload {
  readonly path: string;
  readonly version: string;
  readonly sha256: string;
}

export interface UsrPayloadSpec {
  /** The os-release VERSION_ID (and the boot entry's version) the payload carries. */
  readonly version: string;
  /**
   * A payload that fails to boot: the image's kernel with an initramfs that is no archive, so that the kernel finds no
   * root, panics and (the entry's panic=10) reboots, as a broken image would. It holds only what the slot writer
   * checks and the bootloader loads (os-release, the kernel, the initramfs), a few MiB rather than the whole /usr:
   * what fails is the boot, and a cluster node under TCG takes half an hour to download and write a whole /usr.
   */
  readonly breakInitramfs?: boolean;
}

const MIB = 1024 * 1024;
/** Room beyond the files in the broken payload's file system: its metadata and inode tables. */
const BROKEN_PAYLOAD_SLACK_MIB = 8;

/** The image's os-release, saying `version`. */
const osReleaseAs = (image: NodeImage, version: string): string => OS_RELEASE.replaceAll(image.version, version);

/** `image`'s usr.ext4 copied to `path` and rewritten as `spec` asks; with its SHA-256, as an update offers it. */
export async function deriveUsrPayload(image: NodeImage, path: string, spec: UsrPayloadSpec): Promise<UsrPayload> {
  if (spec.breakInitramfs === true) return unbootableUsrPayload(image, path, spec.version);
  const debugfs = await findHostTool('debugfs');
  const scratch = await mkdtemp(`${path}.scratch-`);
  try {
    await copyFile(image.usr, path);
    const osRelease = join(scratch, 'os-release');
    await writeFile(osRelease, osReleaseAs(image, spec.version), { mode: 0o644 });
    const commands = ['rm /lib/os-release', `write ${osRelease} /lib/os-release`];
    await writeFile(join(scratch, 'commands'), `${commands.join('\n')}\n`);
    const edited = await runCommand(debugfs, ['-w', '-f', join(scratch, 'commands'), path]);
    // debugfs exits 0 even when a request fails: the file is read back to know.
    const readBack = await runCommand(debugfs, ['-R', 'cat /lib/os-release', path]);
    if (edited.code !== 0 || !readBack.stdout.includes(`VERSION_ID=${spec.version}\n`)) {
      throw new NodeImageBootError(`debugfs could not rewrite ${path}'s os-release: ${edited.stderr}`, { path });
    }
    return { path, version: spec.version, sha256: await sha256File(path) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** A /usr file system holding `image`'s os-release as `version`, its kernel, and an initramfs that is no archive. */
async function unbootableUsrPayload(image: NodeImage, path: string, version: string): Promise<UsrPayload> {
  const mkfs = await findHostTool('mkfs.ext4');
  const tree = await mkdtemp(`${path}.tree-`);
  try {
    // Paths inside the /usr file system, whose root is the machine's /usr.
    const bootDir = join(tree, USR_BOOT_DIR_IN_USR);
    await mkdir(bootDir, { recursive: true, mode: 0o755 });
    await writeFile(join(tree, 'lib/os-release'), osReleaseAs(image, version), { mode: 0o644 });
    await copyFile(image.kernel, join(bootDir, 'vmlinuz'));
    await writeFile(join(bootDir, 'initrd.img'), 'this is not an initramfs\n'.repeat(64), { mode: 0o644 });
    const sizeMiB = Math.ceil((await stat(image.kernel)).size / MIB) + BROKEN_PAYLOAD_SLACK_MIB;
    const made = await runCommand(mkfs, usrFileSystemArgs(tree, path, sizeMiB));
    if (made.code !== 0) {
      throw new NodeImageBootError(`mkfs.ext4 could not make the broken /usr ${path}: ${made.stderr}`, { path });
    }
    return { path, version, sha256: await sha256File(path) };
  } finally {
    await rm(tree, { recursive: true, force: true });
  }
}
