// Finds a program this machine must have installed, so that a missing one fails with the Debian package to install
// rather than with ENOENT from whatever spawns it.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { StrataError } from '@strata/api';

/** A program is not installed. `context`: program, package, searched. The message names the package. */
export class HostToolMissingError extends StrataError {}

/** sbin directories too: ip, mkfs.ext4 and dnsmasq live there, and a non-root PATH may lack them. */
const SBIN_DIRS = ['/usr/sbin', '/sbin'];

/** The first executable `program` on PATH (then in the sbin directories); else fails naming `debianPackage`. */
export async function findHostTool(
  program: string,
  debianPackage: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const dirs = [...(env['PATH'] ?? '').split(delimiter).filter((dir) => dir.length > 0), ...SBIN_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, program);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new HostToolMissingError(
    `${program} was not found on PATH (${dirs.join(delimiter)}); install it: apt-get install ${debianPackage}`,
    { program, package: debianPackage, searched: dirs },
  );
}
