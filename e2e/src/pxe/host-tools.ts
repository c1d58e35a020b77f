// Finds what a PXE boot under QEMU needs on the host, all from Debian packages:
// the emulator, iPXE's option ROM for the virtio NIC, a kernel with its
// modules, a static busybox for the guest, and cpio to pack the initramfs.
import { constants } from 'node:fs';
import { join } from 'node:path';
import { findHostTool, isAccessible } from '@strata/host';
import { findHostKernel, findStaticBusybox, type HostKernel } from '@strata/lab';
import { HostToolMissingError } from './errors.ts';

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
    findHostTool('qemu-system-x86_64', 'qemu-system-x86', env).catch(missing),
    findFirst(
      ROM_DIRS.map((dir) => join(dir, VIRTIO_ROM)),
      `iPXE's ${VIRTIO_ROM} was not found in ${ROM_DIRS.join(' or ')}`,
    ),
    findHostKernel().catch(missing),
    findStaticBusybox(env).catch(missing),
    findHostTool('cpio', 'cpio', env).catch(missing),
  ]);
  return { qemu, ipxeRom, kernel, busybox, cpio };
}

async function findFirst(candidates: readonly string[], missing: string, mode = constants.R_OK): Promise<string> {
  for (const candidate of candidates) {
    if (await isAccessible(candidate, mode)) return candidate;
  }
  throw new HostToolMissingError(missing, { searched: candidates });
}

/** The lab's own finders name one package; the PXE test names all of its own. */
function missing(error: unknown): never {
  throw new HostToolMissingError(error instanceof Error ? error.message : String(error), {});
}
