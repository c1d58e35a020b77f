// The update server's default configuration, rendered into every cluster that
// runs the server: Flatcar's channels, one UpdateGroup per track the nodes'
// update.conf names (GROUP=), and, where the platform knows the payload of the
// OS the nodes run (the local platform's simulated one), that release.
import {
  SIMULATED_PAYLOADS_ANNOTATION,
  UPDATE_CHANNEL,
  UPDATE_CHANNEL_NAMES,
  UPDATE_GROUP,
  UPDATE_RELEASE,
} from '@strata/api';
import type { KubernetesObject } from '@kubernetes/client-node';

export interface UpdateServerDefaultGroup {
  /** What the nodes send as track (GROUP=). */
  readonly track: string;
  /** The UpdateChannel the group follows. */
  readonly channel: string;
}

export interface UpdateServerDefaultRelease {
  readonly version: string;
  readonly payloadUrl: string;
  readonly sha256: string;
  readonly sha1: string;
  readonly size: number;
  /** The base URL of a simulated payload server that serves every version (the local platform's). */
  readonly simulatedPayloads?: string;
}

export interface UpdateServerDefaults {
  /** One UpdateGroup per track (the first of several with one track). */
  readonly groups: readonly UpdateServerDefaultGroup[];
  readonly release?: UpdateServerDefaultRelease;
}

/** The UpdateRelease name of a version: `flatcar-<version>`, lower case, a `+` build suffix spelled `-`. */
export function updateReleaseName(version: string): string {
  return `flatcar-${version.toLowerCase().replaceAll(/[^a-z0-9.-]/g, '-')}`;
}

/**
 * The UpdateGroup of a track: the track itself when it is a DNS label (stable, canary-pool), else lower case with
 * other characters as `-`; a name two tracks would share gets `-2`, `-3`, … in the order given.
 */
export function updateGroupNames(tracks: readonly string[]): Map<string, string> {
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const track of tracks) {
    if (names.has(track)) continue;
    const base =
      track
        .toLowerCase()
        .replaceAll(/[^a-z0-9-]/g, '-')
        .replaceAll(/^-+|-+$/g, '')
        .slice(0, 59) || 'group';
    let name = base;
    for (let suffix = 2; taken.has(name); suffix += 1) name = `${base}-${suffix}`;
    taken.add(name);
    names.set(track, name);
  }
  return names;
}

/**
 * The objects, release first (a channel may name it). Channels are rendered without `spec.release`: which release a
 * channel offers is the user's to change (`strata update promote`, GitOps), and the bootstrap manifests are applied
 * again by every `strata up` of the same directory, which must not take a promotion back. Groups get the CRD's default
 * policy: the update operator's UpdatePolicy decides when nodes reboot.
 */
export function updateServerDefaultObjects(defaults: UpdateServerDefaults): KubernetesObject[] {
  const release = defaults.release;
  const releases: KubernetesObject[] =
    release === undefined
      ? []
      : [
          {
            apiVersion: UPDATE_RELEASE.apiVersion,
            kind: UPDATE_RELEASE.kind,
            metadata: {
              name: updateReleaseName(release.version),
              ...(release.simulatedPayloads === undefined
                ? {}
                : { annotations: { [SIMULATED_PAYLOADS_ANNOTATION]: release.simulatedPayloads } }),
            },
            spec: {
              version: release.version,
              payloadUrl: release.payloadUrl,
              sha256: release.sha256,
              sha1: release.sha1,
              size: release.size,
            },
          } as KubernetesObject,
        ];
  const groups = [...new Map(defaults.groups.map((group) => [group.track, group])).values()];
  const channels = new Set<string>([...UPDATE_CHANNEL_NAMES, ...groups.map((group) => group.channel)]);
  const names = updateGroupNames(groups.map((group) => group.track));
  return [
    ...releases,
    ...[...channels].map(
      (name) =>
        ({
          apiVersion: UPDATE_CHANNEL.apiVersion,
          kind: UPDATE_CHANNEL.kind,
          metadata: { name },
          spec: {},
        }) as KubernetesObject,
    ),
    ...groups.map(
      (group) =>
        ({
          apiVersion: UPDATE_GROUP.apiVersion,
          kind: UPDATE_GROUP.kind,
          metadata: { name: names.get(group.track) ?? group.track },
          spec: { track: group.track, channel: group.channel, policy: {} },
        }) as KubernetesObject,
    ),
  ];
}
