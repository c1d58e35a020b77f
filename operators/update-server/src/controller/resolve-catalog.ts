// From the custom resources to the catalog the Omaha endpoint answers from.
// Pure. A reference that does not resolve never stops the rest: the channel
// offers nothing, or the group is left out (its machines are held as
// `unknown-group`), and the resource gets a Resolved=False condition whose
// message names the field.
import type { UpdateServerReason } from '@strata/api';
import { parseCatalog, type Catalog, type Channel, type Group } from '../policy/model.ts';
import type { UpdateChannelResource, UpdateGroupResource, UpdateReleaseResource } from './resources.ts';

export interface Resolved {
  readonly status: 'True' | 'False';
  readonly reason: UpdateServerReason;
  readonly message: string;
}

export interface ChannelResolution {
  readonly resolved: Resolved;
  /** The version the channel offers, if its release exists. */
  readonly version: string | undefined;
}

export interface GroupResolution {
  readonly resolved: Resolved;
  /** The group as the catalog holds it; absent when it was left out. */
  readonly group: Group | undefined;
  /** The version its channel offers, if any: the rollout the status counts. */
  readonly version: string | undefined;
}

export interface CatalogResolution {
  readonly catalog: Catalog;
  readonly channels: ReadonlyMap<string, ChannelResolution>;
  readonly groups: ReadonlyMap<string, GroupResolution>;
}

export interface CatalogResources {
  readonly releases: readonly UpdateReleaseResource[];
  readonly channels: readonly UpdateChannelResource[];
  readonly groups: readonly UpdateGroupResource[];
}

const RESOLVED: Resolved = { status: 'True', reason: 'Resolved', message: 'every reference resolves' };

const unresolved = (reason: UpdateServerReason, message: string): Resolved => ({ status: 'False', reason, message });

/** Oldest first, so that of two groups claiming one track the one that had it keeps it. */
function byAge(a: UpdateGroupResource, b: UpdateGroupResource): number {
  const at = (group: UpdateGroupResource) => group.metadata.creationTimestamp ?? '';
  return at(a).localeCompare(at(b)) || a.metadata.name.localeCompare(b.metadata.name);
}

export function resolveCatalog(resources: CatalogResources): CatalogResolution {
  const releases = new Map(resources.releases.map((release) => [release.metadata.name, release.spec]));
  const channels = new Map<string, ChannelResolution>();
  const catalogChannels: Channel[] = [];
  for (const channel of resources.channels) {
    const name = channel.metadata.name;
    const releaseName = channel.spec.release;
    const release = releaseName === undefined ? undefined : releases.get(releaseName);
    catalogChannels.push({ name, ...(release === undefined ? {} : { release }) });
    channels.set(name, {
      version: release?.version,
      resolved:
        releaseName !== undefined && release === undefined
          ? unresolved(
              'UnknownRelease',
              `spec.release: UpdateRelease ${releaseName} does not exist; the channel offers nothing`,
            )
          : RESOLVED,
    });
  }
  const groups = new Map<string, GroupResolution>();
  const catalogGroups: Group[] = [];
  const trackOwners = new Map<string, string>();
  for (const resource of [...resources.groups].sort(byAge)) {
    const name = resource.metadata.name;
    const channel = channels.get(resource.spec.channel);
    const owner = trackOwners.get(resource.spec.track);
    if (channel === undefined) {
      groups.set(name, {
        group: undefined,
        version: undefined,
        resolved: unresolved(
          'UnknownChannel',
          `spec.channel: UpdateChannel ${resource.spec.channel} does not exist; machines of track ` +
            `${resource.spec.track} are held as unknown-group`,
        ),
      });
      continue;
    }
    if (owner !== undefined) {
      groups.set(name, {
        group: undefined,
        version: undefined,
        resolved: unresolved(
          'DuplicateTrack',
          `spec.track: track ${resource.spec.track} belongs to UpdateGroup ${owner}, which was there first`,
        ),
      });
      continue;
    }
    trackOwners.set(resource.spec.track, name);
    const group: Group = { ...resource.spec, name };
    catalogGroups.push(group);
    groups.set(name, { group, version: channel.version, resolved: RESOLVED });
  }
  // The names and references are consistent by construction; parseCatalog checks them once more.
  return { catalog: parseCatalog({ channels: catalogChannels, groups: catalogGroups }), channels, groups };
}
