'use client';
// The Overview's EtcdClusters: each one's phase and the state of its conditions, live. Where the etcd.strata.dev
// resources are not installed, it says so quietly: a cluster without the etcd operator is not unhealthy.
import Link from 'next/link';
import { useMemo } from 'react';
import { namespacedKey } from '../../shared/etcd-rows.ts';
import { useLiveRows } from '../live-rows.ts';

export function EtcdClustersHealth() {
  const { rows, synced, error, errorStatus } = useLiveRows('etcdclusters');
  const clusters = useMemo(
    () => [...rows.values()].sort((a, b) => namespacedKey(a).localeCompare(namespacedKey(b))),
    [rows],
  );
  if (errorStatus === 404)
    return <p data-testid="etcd-clusters-health">The etcd operator&apos;s resources are not installed.</p>;
  return (
    <>
      {error === undefined ? null : <p role="alert">{error}</p>}
      <p aria-live="polite" data-testid="etcd-clusters-health">
        {synced ? `${clusters.length} EtcdClusters` : 'Loading EtcdClusters…'}
      </p>
      {clusters.length === 0 ? null : (
        <table>
          <caption>EtcdClusters and their conditions</caption>
          <thead>
            <tr>
              <th scope="col">EtcdCluster</th>
              <th scope="col">Phase</th>
              <th scope="col">Ready members</th>
              <th scope="col">Conditions</th>
            </tr>
          </thead>
          <tbody>
            {clusters.map((cluster) => (
              <tr key={namespacedKey(cluster)} data-cluster={namespacedKey(cluster)}>
                <td>
                  <Link href={`/etcd/${cluster.namespace}/${cluster.name}`}>{namespacedKey(cluster)}</Link>
                </td>
                <td data-column="phase">{cluster.phase ?? 'Not reported'}</td>
                <td data-column="ready">
                  {cluster.readyMembers ?? '—'} of {cluster.size}
                </td>
                <td data-column="conditions">
                  {cluster.conditions.length === 0
                    ? 'none reported'
                    : cluster.conditions.map((condition) => `${condition.type}=${condition.status}`).join(', ')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
