// What a small guest needs from this host, all from Debian packages: the host's own kernel (with its modules) and a
// static busybox for an initramfs that has no C library. The lab's KVM probe boots such a guest; so does the PXE
// end-to-end test.
import { constants } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { findHostTool, HostToolMissingError, isAccessible } from '@strata/host';

export interface HostKernel {
  readonly version: string;
  /** The bzImage iPXE will boot. */
  readonly image: string;
  /** /lib/modules/<version>, holding modules.dep and the .ko files. */
  readonly modulesDir: string;
}

/** The newest kernel that has both its image in /boot and its modules in /lib/modules. */
export async function findHostKernel(): Promise<HostKernel> {
  const images = (await readdir('/boot').catch(() => [])).filter((name) => name.startsWith('vmlinuz-'));
  const kernels: HostKernel[] = [];
  for (const name of images) {
    const version = name.slice('vmlinuz-'.length);
    const modulesDir = join('/lib/modules', version);
    const image = join('/boot', name);
    if (
      (await isAccessible(image, constants.R_OK)) &&
      (await isAccessible(join(modulesDir, 'modules.dep'), constants.R_OK))
    ) {
      kernels.push({ version, image, modulesDir });
    }
  }
  kernels.sort((a, b) => b.version.localeCompare(a.version, 'en', { numeric: true }));
  const newest = kernels[0];
  if (newest === undefined) {
    throw new HostToolMissingError(
      'no kernel with both /boot/vmlinuz-<version> and /lib/modules/<version>/modules.dep; install one: apt-get install linux-image-amd64',
      { images, package: 'linux-image-amd64' },
    );
  }
  return newest;
}

/**
 * Debian's `busybox` and `busybox-static` both install /bin/busybox; only the
 * static one runs in an initramfs that has no C library.
 */
export async function findStaticBusybox(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  // /bin first: Debian installs busybox there, and a non-root PATH may lack it.
  const busybox = await findHostTool('busybox', 'busybox-static', {
    ...env,
    PATH: `/bin:/usr/bin:${env['PATH'] ?? ''}`,
  });
  if (await hasProgramInterpreter(busybox)) {
    throw new HostToolMissingError(
      `${busybox} is dynamically linked (Debian's "busybox"); the guest needs a static one: apt-get install busybox-static`,
      { busybox, package: 'busybox-static' },
    );
  }
  return busybox;
}

/** Whether an ELF64 executable names a dynamic loader (a PT_INTERP program header). */
export async function hasProgramInterpreter(path: string): Promise<boolean> {
  const PT_INTERP = 3;
  const file = await open(path, 'r');
  try {
    const header = Buffer.alloc(64);
    await file.read(header, 0, 64, 0);
    if (header.readUInt32BE(0) !== 0x7f454c46 || header[4] !== 2) {
      throw new HostToolMissingError(`${path} is not a 64-bit ELF executable`, { path });
    }
    const programHeaders = Number(header.readBigUInt64LE(0x20));
    const entrySize = header.readUInt16LE(0x36);
    const count = header.readUInt16LE(0x38);
    const table = Buffer.alloc(entrySize * count);
    await file.read(table, 0, table.length, programHeaders);
    for (let i = 0; i < count; i += 1) {
      if (table.readUInt32LE(i * entrySize) === PT_INTERP) return true;
    }
    return false;
  } finally {
    await file.close();
  }
}
