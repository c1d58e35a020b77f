// UEFI firmware for QEMU machines, from Debian's ovmf package: machines that boot the node image from its own disk
// need it (systemd-boot is an EFI program), the node image's tests and the machine lab alike.
import { copyFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import { HostToolMissingError } from './host-tool.ts';

/** The firmware's code, mapped read-only. */
export const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
/** The template of its variable store: each machine writes its boot order and its boot loader's variables to a copy. */
export const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';

/**
 * QEMU's arguments for UEFI firmware, with a fresh copy of the variable store in `dir` (kept across the machine's own
 * reboots); fails naming the package when the firmware is not installed.
 */
export async function uefiFirmwareArgs(dir: string): Promise<string[]> {
  for (const firmware of [OVMF_CODE, OVMF_VARS]) {
    await access(firmware).catch((error: unknown) => {
      throw new HostToolMissingError(
        `${firmware} is missing; install it: apt-get install ovmf`,
        { program: firmware, package: 'ovmf' },
        { cause: error },
      );
    });
  }
  const vars = join(dir, 'OVMF_VARS.fd');
  await copyFile(OVMF_VARS, vars);
  return [
    '-drive',
    `if=pflash,format=raw,unit=0,readonly=on,file=${OVMF_CODE}`,
    '-drive',
    `if=pflash,format=raw,unit=1,file=${vars.replaceAll(',', ',,')}`,
  ];
}
