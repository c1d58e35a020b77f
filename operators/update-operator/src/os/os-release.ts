import { release as kernelRelease } from 'node:os';
import { join } from 'node:path';
import { HOST_FILES, parseEnvironmentFile, type OsRelease } from '@strata/api';
import { readFileIfPresent } from '@strata/host';
import { OsReleaseError } from './errors.ts';

/** Where a Container Linux machine describes itself, under its root. */
export const OS_RELEASE_PATH = HOST_FILES.osRelease;
/** Flatcar's update configuration: the image's defaults, then the machine's overrides (update_engine reads both, in that order). */
export const UPDATE_CONF_PATHS = [HOST_FILES.updateConfDefaults, HOST_FILES.updateConf] as const;

// os-release(5) syntax, shared with the node's update_engine.
export { parseEnvironmentFile } from '@strata/api';

export interface OsReleaseSources {
  /** The text of /etc/os-release. */
  readonly osRelease: string;
  /** The texts of the update.conf files that exist, defaults first; later ones override. */
  readonly updateConfs: readonly string[];
  /** `uname -r`. */
  readonly kernelVersion: string;
}

/**
 * What the agent reports about the machine. Flatcar (and Strata's node image, ID=strata): ID=flatcar, the version
 * from VERSION_ID, the group from update.conf's GROUP (as the Flatcar
 * operator's agent does). Fedora CoreOS: ID=fedora with VARIANT_ID=coreos, the
 * version from OSTREE_VERSION; its stream is Zincati's business and not in
 * os-release, so the group is reported empty.
 */
export function osReleaseFrom(sources: OsReleaseSources): OsRelease {
  const fields = parseEnvironmentFile(sources.osRelease);
  const update = Object.assign({}, ...sources.updateConfs.map(parseEnvironmentFile)) as Record<string, string>;
  const prettyName = fields['PRETTY_NAME'] ?? fields['NAME'] ?? '';
  // Strata's node image updates itself as Flatcar does (update_engine on D-Bus, the group in update.conf).
  if (fields['ID'] === 'flatcar' || fields['ID'] === 'strata') {
    const id = fields['ID'];
    const version = fields['VERSION_ID'] ?? fields['VERSION'];
    if (version === undefined) throw new OsReleaseError(`os-release says ID=${id} but has no VERSION_ID`, { fields });
    return { id, version, group: update['GROUP'] ?? '', prettyName, kernelVersion: sources.kernelVersion };
  }
  if (fields['ID'] === 'fedora' && fields['VARIANT_ID'] === 'coreos') {
    const version = fields['OSTREE_VERSION'] ?? fields['VERSION_ID'];
    if (version === undefined)
      throw new OsReleaseError('os-release names Fedora CoreOS but has no OSTREE_VERSION', { fields });
    return { id: 'fedora-coreos', version, group: '', prettyName, kernelVersion: sources.kernelVersion };
  }
  throw new OsReleaseError(
    `the update agent serves Flatcar Container Linux, Fedora CoreOS and Strata's node image; os-release says ID=${fields['ID'] ?? '(none)'}${fields['VARIANT_ID'] === undefined ? '' : ` VARIANT_ID=${fields['VARIANT_ID']}`}`,
    { id: fields['ID'], variantId: fields['VARIANT_ID'] },
  );
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFileIfPresent(path);
  } catch (error) {
    throw new OsReleaseError(
      `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`,
      { path },
      { cause: error },
    );
  }
}

/** Reads os-release and update.conf under `root` (the host's root as mounted into the agent's pod). */
export async function readOsRelease(root = '/', kernelVersion = kernelRelease()): Promise<OsRelease> {
  const osReleasePath = join(root, OS_RELEASE_PATH);
  const osRelease = await readIfPresent(osReleasePath);
  if (osRelease === undefined)
    throw new OsReleaseError(`${osReleasePath} does not exist; mount the host's /etc/os-release into the agent`, {
      path: osReleasePath,
    });
  const updateConfs: string[] = [];
  for (const path of UPDATE_CONF_PATHS) {
    const text = await readIfPresent(join(root, path));
    if (text !== undefined) updateConfs.push(text);
  }
  return osReleaseFrom({ osRelease, updateConfs, kernelVersion });
}
