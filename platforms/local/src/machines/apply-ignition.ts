// What Ignition does to a disk, done to a directory: the simulated machine's
// root. Paths are the config's own (clean and absolute, which the validator
// checks), placed under the root.
import { mkdir, symlink, rm, link } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeDataUrl, type IgnitionConfig } from '@strata/assets';
import { PUBLIC_FILE_MODE, SECRET_FILE_MODE, writeFileAtomic } from '@strata/host';
import { MachineBootError } from './errors.ts';

export interface AppliedIgnition {
  /** Paths written, as the config names them. */
  readonly files: readonly string[];
  /**
   * Files whose source is a remote URL outside the boot server (the kubelet
   * system extension from Flatcar's servers): a simulated machine runs no real
   * kubelet, so it does not download them.
   */
  readonly notFetched: readonly { readonly path: string; readonly source: string }[];
  /** Units the config enables, as systemd would start them at boot. */
  readonly enabledUnits: readonly string[];
}

/** Where Ignition (on Flatcar) puts a user's keys: sshd's AuthorizedKeysCommand reads this directory. */
export const authorizedKeysPath = (user: string): string => `/home/${user}/.ssh/authorized_keys.d/ignition`;

const under = (root: string, path: string): string => join(root, path);

/** Writes a validated Ignition config's storage, units and users' SSH keys under `root`. */
export async function applyIgnition(config: IgnitionConfig, root: string, origin: string): Promise<AppliedIgnition> {
  const files: string[] = [];
  const notFetched: { path: string; source: string }[] = [];
  for (const directory of config.storage?.directories ?? []) {
    await mkdir(under(root, directory.path), { recursive: true, mode: directory.mode ?? 0o755 });
  }
  for (const file of config.storage?.files ?? []) {
    const source = file.contents?.source;
    if (source === undefined) {
      await writeFileAtomic(under(root, file.path), '', file.mode ?? PUBLIC_FILE_MODE);
      files.push(file.path);
      continue;
    }
    if (!source.startsWith('data:')) {
      notFetched.push({ path: file.path, source });
      continue;
    }
    const decoded = decodeDataUrl(source);
    if (!decoded.ok) {
      throw new MachineBootError(`the Ignition config from ${origin}: ${file.path}: ${decoded.reason}`, {
        origin,
        path: file.path,
      });
    }
    // Created with its final mode: a key is never readable by others, not even for a moment.
    await writeFileAtomic(under(root, file.path), decoded.value.data, file.mode ?? PUBLIC_FILE_MODE);
    files.push(file.path);
  }
  for (const entry of config.storage?.links ?? []) {
    const path = under(root, entry.path);
    await mkdir(join(path, '..'), { recursive: true });
    if (entry.overwrite === true) await rm(path, { force: true });
    // The target is absolute on the machine: inside the simulated machine that is under its root.
    if (entry.hard === true) await link(under(root, entry.target), path);
    else await symlink(under(root, entry.target), path);
  }
  const enabledUnits: string[] = [];
  for (const unit of config.systemd?.units ?? []) {
    const unitPath = `/etc/systemd/system/${unit.name}`;
    if (unit.contents !== undefined) {
      await writeFileAtomic(under(root, unitPath), unit.contents, PUBLIC_FILE_MODE);
      files.push(unitPath);
    }
    for (const dropin of unit.dropins ?? []) {
      const dropinPath = `/etc/systemd/system/${unit.name}.d/${dropin.name}`;
      await writeFileAtomic(under(root, dropinPath), dropin.contents ?? '', PUBLIC_FILE_MODE);
      files.push(dropinPath);
    }
    if (unit.enabled === true) enabledUnits.push(unit.name);
  }
  for (const user of config.passwd?.users ?? []) {
    if (user.sshAuthorizedKeys === undefined || user.sshAuthorizedKeys.length === 0) continue;
    const keysPath = authorizedKeysPath(user.name);
    // Ignition writes the file only its user may read; sshd refuses wider modes.
    await writeFileAtomic(under(root, keysPath), `${user.sshAuthorizedKeys.join('\n')}\n`, SECRET_FILE_MODE);
    files.push(keysPath);
  }
  return { files, notFetched, enabledUnits };
}
