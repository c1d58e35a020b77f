// Which Compute Engine image the machines boot: the OS vendor's public image
// family of the configured channel, or the image of a pinned release.
import type { ClusterConfig } from '@strata/assets';
import { GcpPlatformError } from './errors.ts';

export interface OsImageLookup {
  readonly project: string;
  readonly family?: string;
  readonly filter?: string;
  readonly mostRecent?: boolean;
}

/** The public projects the OS vendors publish their Compute Engine images in. */
export const OS_IMAGE_PROJECTS = { flatcar: 'kinvolk-public', 'fedora-coreos': 'fedora-coreos-cloud' } as const;

/** The arguments of `gcp.compute.getImage` that find the image of `os`. */
export function osImageLookup(os: ClusterConfig['os']): OsImageLookup {
  if (os.name === 'strata')
    throw new GcpPlatformError(
      "os.name strata (Strata's node image) has no Compute Engine image: it boots from Strata's boot server only",
      { field: 'os.name', value: os.name },
    );
  const project = OS_IMAGE_PROJECTS[os.name];
  if (os.version === undefined) {
    return { project, family: `${os.name}-${os.channel}` };
  }
  // Image names spell the release with "-" for "."; the vendors add a build
  // date (Flatcar) or the platform and architecture (Fedora CoreOS) after it.
  const release = os.version.replaceAll('.', '-');
  const name = os.name === 'flatcar' ? `flatcar-${os.channel}-${release}-.*` : `fedora-coreos-${release}-gcp-x86-64`;
  return { project, filter: `name eq ${name}`, mostRecent: true };
}
