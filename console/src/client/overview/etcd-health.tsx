'use client';
// The Overview's EtcdClusters: each one's phase and the state of its conditions, live. Where the etcd.strata.dev
// resources are not installed, it says so quietly: a cluster without the etcd operator is not unhealthy.
import Link from 'next/link';
import { useMemo } from 'react';
import { namespacedKey } from '../../shared/etcd-rows.ts';
import { useLiveRows } from '../live-rows.ts';
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '../ui/table.tsx';
import { Alert } from '../ui/alert.tsx';

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
      {error === undefined ? null : (
        <Alert variant="destructive" role="alert">
          {error}
        </Alert>
      )}
      <p aria-live="polite" data-testid="etcd-clusters-health">
        {synced ? `${clusters.length} EtcdClusters` : 'Loading EtcdClusters…'}
      </p>
      {clusters.length === 0 ? null : (
        <Table>
          <TableCaption>EtcdClusters and their conditions</TableCaption>
          <TableHeader>
            <TableRow>
              <TableHead>EtcdCluster</TableHead>
              <TableHead>Phase</TableHead>
              <TableHead>Ready members</TableHead>
              <TableHead>Conditions</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {clusters.map((cluster) => (
              <TableRow key={namespacedKey(cluster)} data-cluster={namespacedKey(cluster)}>
                <TableCell>
                  <Link href={`/etcd/${cluster.namespace}/${cluster.name}`}>{namespacedKey(cluster)}</Link>
                </TableCell>
                <TableCell data-column="phase">{cluster.phase ?? 'Not reported'}</TableCell>
                <TableCell data-column="ready">
                  {cluster.readyMembers ?? '—'} of {cluster.size}
                </TableCell>
                <TableCell data-column="conditions">
                  {cluster.conditions.length === 0
                    ? 'none reported'
                    : cluster.conditions.map((condition) => `${condition.type}=${condition.status}`).join(', ')}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </>
  );
}
