// The GRUB2 config, byte for byte as matchbox writes it: an EFI entry and a BIOS entry.
import type { Profile } from '@strata/api';

export function grubConfig(boot: Profile['boot']): string {
  const args = boot.args.map((arg) => ` ${arg}`).join('');
  const initrds = boot.initrd.map((initrd) => ` "${initrd}"`).join('');
  const entry = (title: string, linux: string, initrd: string) =>
    `menuentry "${title}" {\necho "Loading kernel"\n${linux} "${boot.kernel}"${args}\necho "Loading initrd"\n${initrd} ${initrds}\n}\n`;
  return `default=0\nfallback=1\ntimeout=1\n${entry('CoreOS (EFI)', 'linuxefi', 'initrdefi')}${entry('CoreOS (BIOS)', 'linux', 'initrd')}`;
}
