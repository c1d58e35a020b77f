'use client';
// The Overview's OS rollout progress, live from the tab's stream: the same node rows and policy rows the OS updates
// page shows (kinds `rollout` and `updatepolicies`), summed by the pure functions of shared/rollout-progress.ts.
// Where the UpdatePolicy CRD is not installed, the per-policy table says so quietly; the nodes' count stands.
import Link from 'next/link';
import { useMemo } from 'react';
import { policyProgress, rolloutProgress } from '../../shared/rollout-progress.ts';
import { useLiveRows } from '../live-rows.ts';
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '../ui/table.tsx';
import { Alert } from '../ui/alert.tsx';

export function RolloutProgress() {
  const nodes = useLiveRows('rollout');
  const policies = useLiveRows('updatepolicies');
  const progress = useMemo(() => rolloutProgress(nodes.rows.values()), [nodes.rows]);
  const perPolicy = useMemo(
    () => [...policies.rows.values()].sort((a, b) => a.name.localeCompare(b.name)).map(policyProgress),
    [policies.rows],
  );
  return (
    <>
      {nodes.error === undefined ? null : (
        <Alert variant="destructive" role="alert">
          {nodes.error}
        </Alert>
      )}
      <p aria-live="polite" data-testid="rollout-progress">
        {!nodes.synced
          ? 'Loading nodes…'
          : progress.target === undefined
            ? `No node reports an OS version (${progress.total} nodes)`
            : `${progress.onTarget} of ${progress.total} nodes on ${progress.target}: ` +
              `${progress.inProgress} in progress, ${progress.waiting} waiting, ${progress.failed} failed`}
      </p>
      <p>
        In progress: granted, cordoned, draining, rebooting or back up until its checks pass; waiting: staged, for a
        slot or its hooks. <Link href="/updates">The rollout node by node</Link>.
      </p>
      {policies.errorStatus === 404 ? (
        <p data-testid="rollout-policies">The update operator&apos;s UpdatePolicy resource is not installed.</p>
      ) : (
        <>
          {policies.error === undefined ? null : (
            <Alert variant="destructive" role="alert">
              {policies.error}
            </Alert>
          )}
          <Table data-testid="rollout-policies">
            <TableCaption>Per UpdatePolicy, as its operator counts its nodes</TableCaption>
            <TableHeader>
              <TableRow>
                <TableHead>UpdatePolicy</TableHead>
                <TableHead>Selected</TableHead>
                <TableHead>In progress</TableHead>
                <TableHead>Waiting</TableHead>
                <TableHead>Failed</TableHead>
                <TableHead>Paused</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {perPolicy.map((policy) => (
                <TableRow key={policy.name} data-policy={policy.name}>
                  <TableCell>{policy.name}</TableCell>
                  <TableCell data-column="total">{policy.total ?? 'Not counted yet'}</TableCell>
                  <TableCell data-column="inProgress">{policy.inProgress}</TableCell>
                  <TableCell data-column="waiting">{policy.waiting}</TableCell>
                  <TableCell data-column="failed">{policy.failed}</TableCell>
                  <TableCell data-column="paused">{policy.paused ? 'Paused' : 'No'}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </>
      )}
    </>
  );
}
