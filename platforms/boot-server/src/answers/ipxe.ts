// The iPXE scripts, byte for byte as matchbox writes them.
import type { Profile } from '@strata/api';

/**
 * What /boot.ipxe answers: gather the machine's identity, then chain to /ipxe.
 * ${...} are iPXE settings, expanded by iPXE itself.
 */
export const IPXE_BOOTSTRAP =
  '#!ipxe\nchain ipxe?uuid=${uuid}&mac=${mac:hexhyp}&domain=${domain}&hostname=${hostname}&serial=${serial}&arch=${buildarch:uristring}\n';

/** The boot script for a profile: kernel with its arguments, one initrd line per image, boot. */
export function ipxeScript(boot: Profile['boot']): string {
  const args = boot.args.map((arg) => ` ${arg}`).join('');
  const initrds = boot.initrd.map((initrd) => `\ninitrd ${initrd}`).join('');
  return `#!ipxe\nkernel ${boot.kernel}${args}${initrds}\nboot\n`;
}
