'use client';
// The EtcdClusters page: every cluster the user may list, with its phase, size, version, conditions and members,
// live from the tab's watch stream.
import Link from 'next/link';
import { useMemo } from 'react';
import { namespacedKey, type EtcdClusterRow } from '../../shared/etcd-rows.ts';
import { useLiveRows } from '../live-rows.ts';
import { CreateEtcdClusterForm } from './create-etcd-cluster-form.tsx';
import { ConditionsTable, etcdStreamProblem, MembersTable } from './etcd-tables.tsx';
import { Alert } from '../ui/alert.tsx';
import { Card } from '../ui/card.tsx';
import { DescriptionList } from '../ui/description-list.tsx';

export function ClusterSummary({ cluster }: { readonly cluster: EtcdClusterRow }) {
  return (
    <DescriptionList>
      <dt>Phase</dt>
      <dd data-field="phase">{cluster.phase ?? 'Not reported'}</dd>
      <dt>Size</dt>
      <dd data-field="size">{cluster.size}</dd>
      <dt>Ready members</dt>
      <dd data-field="ready">{cluster.readyMembers ?? '—'}</dd>
      <dt>Version</dt>
      <dd data-field="version">
        {cluster.currentVersion === undefined || cluster.currentVersion === cluster.version
          ? cluster.version
          : `${cluster.currentVersion} (upgrading to ${cluster.version})`}
      </dd>
      {cluster.paused ? (
        <>
          <dt>Paused</dt>
          <dd data-field="paused">yes: the operator observes and changes nothing</dd>
        </>
      ) : null}
    </DescriptionList>
  );
}

export function EtcdClusters({ canCreate }: { readonly canCreate: boolean }) {
  const { rows, synced, error, errorStatus } = useLiveRows('etcdclusters');
  const clusters = useMemo(
    () => [...rows.values()].sort((a, b) => namespacedKey(a).localeCompare(namespacedKey(b))),
    [rows],
  );
  const problem = etcdStreamProblem(error, errorStatus);
  return (
    <>
      <p aria-live="polite" data-testid="etcd-count">
        {synced ? `${clusters.length} etcd clusters` : 'Loading etcd clusters…'}
      </p>
      {problem === undefined ? null : (
        <Alert variant="destructive" role="alert">
          {problem}
        </Alert>
      )}
      {canCreate ? <CreateEtcdClusterForm /> : null}
      {clusters.map((cluster) => {
        const key = namespacedKey(cluster);
        const heading = `etcd-${cluster.namespace}-${cluster.name}`;
        return (
          <Card key={key} data-cluster={key} aria-labelledby={heading}>
            <h2 id={heading}>
              <Link href={`/etcd/${cluster.namespace}/${cluster.name}`}>{key}</Link>
            </h2>
            <ClusterSummary cluster={cluster} />
            <ConditionsTable conditions={cluster.conditions} caption={`Conditions of ${key}`} />
            <MembersTable members={cluster.members} caption={`Members of ${key}`} />
          </Card>
        );
      })}
    </>
  );
}
