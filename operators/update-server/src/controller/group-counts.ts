// A group's counts from the store: machines by version and the rollout of its
// channel's release. The status writer and the JSON API both show them.
import type { UpdateGroupRollout } from '@strata/api';
import { rolloutQuery } from '../policy/decide.ts';
import type { UpdateStore, VersionCount } from '../store/store.ts';
import type { GroupResolution } from './resolve-catalog.ts';

export interface GroupCounts {
  readonly versions: readonly VersionCount[];
  /** Absent when the group is left out of the catalog or its channel offers nothing. */
  readonly rollout: UpdateGroupRollout | undefined;
}

export async function groupCounts(
  track: string,
  resolution: GroupResolution | undefined,
  store: UpdateStore,
  now: Date,
): Promise<GroupCounts> {
  const versions = await store.versionBreakdown(track);
  if (resolution?.group === undefined || resolution.version === undefined) return { versions, rollout: undefined };
  const stats = await store.rolloutStats(rolloutQuery(resolution.group, resolution.version, now));
  return { versions, rollout: { version: resolution.version, ...stats } };
}
