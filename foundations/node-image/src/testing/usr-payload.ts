// Update payloads for A/B tests, derived from the image's own /usr file system (usr.ext4) without mounting anything:
// debugfs rewrites its os-release to another version and, for a payload that must not boot, its initramfs to bytes
// that are no archive. A real second image takes a whole build; what the A/B step must prove is that the machine
// takes what the payload holds, whatever its version.
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256File } from '@strata/binaries';
import { runCommand } from '@strata/host';
import { USR_BOOT_DIR_IN_USR } from '../disk-layout.ts';
import { NodeImageBootError } from '../errors.ts';
import { findHostTool } from '../host-tools.ts';
import type { NodeImage } from '../image.ts';
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
   * Replace the payload's initramfs with bytes that are no archive: its kernel then finds no root, panics and (the
   * entry's panic=10) reboots, as a broken image would.
   */
  readonly breakInitramfs?: boolean;
}

/** `image`'s usr.ext4 copied to `path` and rewritten as `spec` asks; with its SHA-256, as an update offers it. */
export async function deriveUsrPayload(image: NodeImage, path: string, spec: UsrPayloadSpec): Promise<UsrPayload> {
  const debugfs = await findHostTool('debugfs');
  const scratch = await mkdtemp(`${path}.scratch-`);
  try {
    await copyFile(image.usr, path);
    const osRelease = join(scratch, 'os-release');
    await writeFile(osRelease, OS_RELEASE.replaceAll(image.version, spec.version), { mode: 0o644 });
    const commands = ['rm /lib/os-release', `write ${osRelease} /lib/os-release`];
    if (spec.breakInitramfs === true) {
      const garbage = join(scratch, 'initrd.img');
      await writeFile(garbage, 'this is not an initramfs\n'.repeat(64), { mode: 0o644 });
      // A path inside the /usr file system, whose root is the machine's /usr.
      const initrd = `/${USR_BOOT_DIR_IN_USR}/initrd.img`;
      commands.push(`rm ${initrd}`, `write ${garbage} ${initrd}`);
    }
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
