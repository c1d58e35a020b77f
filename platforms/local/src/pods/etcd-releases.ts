import { ETCD_VERSION, ETCD_VERSIONS, resolveBinary, resolveEtcd, type ResolvedBinaries } from '@strata/binaries';
import type { EtcdBinaries } from './image-map.ts';

/**
 * The binaries of every etcd release Strata builds, by version, for the etcd
 * images' tag rules. The pinned release's etcd and etcdctl are the ones the
 * caller already has (its etcdutl, like the other releases, comes from the
 * checksummed cache, built once when missing).
 */
export async function resolveEtcdReleases(
  pinned: Pick<ResolvedBinaries, 'etcd' | 'etcdctl'>,
  progress?: (message: string) => void,
): Promise<Map<string, EtcdBinaries>> {
  const releases = new Map<string, EtcdBinaries>();
  for (const version of ETCD_VERSIONS) {
    releases.set(
      version,
      version === ETCD_VERSION
        ? {
            etcd: pinned.etcd,
            etcdctl: pinned.etcdctl,
            etcdutl: await resolveBinary('etcdutl', progress === undefined ? {} : { progress }),
          }
        : await resolveEtcd(version, progress === undefined ? {} : { progress }),
    );
  }
  return releases;
}
