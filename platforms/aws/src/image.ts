// Which AMI the machines boot: the newest of the OS channel, or the pinned
// release, from the OS vendor's own AWS account (never a lookalike uploaded by
// someone else under the same name).
import type { ClusterConfig } from '@strata/assets';
import { AwsProgramError } from './errors.ts';

export const FLATCAR_OWNER = '075585003325';
export const FEDORA_COREOS_OWNER = '125523088429';

export interface ImageFilter {
  readonly name: string;
  readonly values: string[];
}

export interface ImageQuery {
  readonly owners: string[];
  readonly mostRecent: true;
  readonly filters: ImageFilter[];
}

export function imageQuery(os: ClusterConfig['os']): ImageQuery {
  const common: ImageFilter[] = [
    { name: 'architecture', values: ['x86_64'] },
    { name: 'virtualization-type', values: ['hvm'] },
  ];
  if (os.name === 'strata')
    throw new AwsProgramError(
      "os.name strata (Strata's node image) has no AMI: it boots from Strata's boot server only",
      {
        field: 'os.name',
        value: os.name,
      },
    );
  if (os.name === 'flatcar') {
    const release = os.version === undefined ? '*' : `${os.version}-hvm`;
    return {
      owners: [FLATCAR_OWNER],
      mostRecent: true,
      filters: [{ name: 'name', values: [`Flatcar-${os.channel}-${release}`] }, ...common],
    };
  }
  // Fedora CoreOS names its AMIs by release only; the stream is in the description.
  return {
    owners: [FEDORA_COREOS_OWNER],
    mostRecent: true,
    filters: [
      { name: 'name', values: [`fedora-coreos-${os.version ?? '*'}-x86_64`] },
      { name: 'description', values: [`Fedora CoreOS ${os.channel} *`] },
      ...common,
    ],
  };
}
