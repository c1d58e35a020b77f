// Finds what a PXE boot under QEMU needs on the host, all from Debian packages:
// the emulator, iPXE's option ROM for the virtio NIC, a kernel with its
// modules, a static busybox for the guest, and cpio to pack the initramfs.
import { constants } from 'node:fs';
import { access, open, readdir } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { HostToolMissingError } from './errors.ts';

export interface HostKernel {
  readonly version: string;
  /** The bzImage iPXE will boot. */
  readonly image: string;
  /** /lib/modules/<version>, holding modules.dep and the .ko files. */
  readonly modulesDir: string;
}

export interface PxeHostTools {
  readonly qemu: string;
  /** The iPXE ROM QEMU will load for the NIC (found by QEMU itself, under this name). */
  readonly ipxeRom: string;
  readonly kernel: HostKernel;
  readonly busybox: string;
  readonly cpio: string;
}

/** Where Debian's ipxe-qemu puts its ROMs (and where older QEMU packages linked them). */
const ROM_DIRS = ['/usr/lib/ipxe/qemu', '/usr/share/qemu'];
/**
 * The ROM QEMU loads by default for virtio-net-pci. It is checked for but not
 * passed: QEMU 7.2 with an explicit `romfile=` (even this same file) did not
 * boot from the NIC here, while the default did.
 */
const VIRTIO_ROM = 'efi-virtio.rom';

export async function findPxeHostTools(env: NodeJS.ProcessEnv = process.env): Promise<PxeHostTools> {
  const [qemu, ipxeRom, kernel, busybox, cpio] = await Promise.all([
    findOnPath('qemu-system-x86_64', env),
    findFirst(
      ROM_DIRS.map((dir) => join(dir, VIRTIO_ROM)),
      `iPXE's ${VIRTIO_ROM} was not found in ${ROM_DIRS.join(' or ')}`,
    ),
    findKernel(),
    findStaticBusybox(env),
    findOnPath('cpio', env),
  ]);
  return { qemu, ipxeRom, kernel, busybox, cpio };
}

async function findOnPath(program: string, env: NodeJS.ProcessEnv): Promise<string> {
  const dirs = (env['PATH'] ?? '').split(delimiter).filter((dir) => dir.length > 0);
  return findFirst(
    dirs.map((dir) => join(dir, program)),
    `${program} was not found on PATH`,
    constants.X_OK,
  );
}

async function findFirst(candidates: readonly string[], missing: string, mode = constants.R_OK): Promise<string> {
  for (const candidate of candidates) {
    if (await accessible(candidate, mode)) return candidate;
  }
  throw new HostToolMissingError(missing, { searched: candidates });
}

async function accessible(path: string, mode: number): Promise<boolean> {
  try {
    await access(path, mode);
    return true;
  } catch {
    return false;
  }
}

/** The newest kernel that has both its image in /boot and its modules in /lib/modules. */
async function findKernel(): Promise<HostKernel> {
  const images = (await readdir('/boot').catch(() => [])).filter((name) => name.startsWith('vmlinuz-'));
  const kernels: HostKernel[] = [];
  for (const name of images) {
    const version = name.slice('vmlinuz-'.length);
    const modulesDir = join('/lib/modules', version);
    const image = join('/boot', name);
    if (
      (await accessible(image, constants.R_OK)) &&
      (await accessible(join(modulesDir, 'modules.dep'), constants.R_OK))
    ) {
      kernels.push({ version, image, modulesDir });
    }
  }
  kernels.sort((a, b) => b.version.localeCompare(a.version, 'en', { numeric: true }));
  const newest = kernels[0];
  if (newest === undefined) {
    throw new HostToolMissingError(
      'no kernel with both /boot/vmlinuz-<version> and /lib/modules/<version>/modules.dep',
      {
        images,
      },
    );
  }
  return newest;
}

/**
 * Debian's `busybox` and `busybox-static` both install /bin/busybox; only the
 * static one runs in an initramfs that has no C library.
 */
async function findStaticBusybox(env: NodeJS.ProcessEnv): Promise<string> {
  const busybox = await findFirst(['/bin/busybox', '/usr/bin/busybox'], 'busybox was not found').catch(() =>
    findOnPath('busybox', env),
  );
  if (await hasProgramInterpreter(busybox)) {
    throw new HostToolMissingError(
      `${busybox} is dynamically linked (Debian's "busybox"); the guest needs "busybox-static"`,
      {
        busybox,
      },
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
