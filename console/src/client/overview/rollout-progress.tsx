'use client';
// The Overview's OS rollout progress, live from the tab's stream: the same node rows and policy rows the OS updates
// page shows (kinds `rollout` and `updatepolicies`), summed by the pure functions of shared/rollout-progress.ts.
// Where the UpdatePolicy CRD is not installed, the per-policy table says so quietly; the nodes' count stands.
import Link from 'next/link';
import { useMemo } from 'react';
import { policyProgress, rolloutProgress } from '../../shared/rollout-progress.ts';
import { useLiveRows } from '../live-rows.ts';

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
      {nodes.error === undefined ? null : <p role="alert">{nodes.error}</p>}
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
          {policies.error === undefined ? null : <p role="alert">{policies.error}</p>}
          <table data-testid="rollout-policies">
            <caption>Per UpdatePolicy, as its operator counts its nodes</caption>
            <thead>
              <tr>
                <th scope="col">UpdatePolicy</th>
                <th scope="col">Selected</th>
                <th scope="col">In progress</th>
                <th scope="col">Waiting</th>
                <th scope="col">Failed</th>
                <th scope="col">Paused</th>
              </tr>
            </thead>
            <tbody>
              {perPolicy.map((policy) => (
                <tr key={policy.name} data-policy={policy.name}>
                  <td>{policy.name}</td>
                  <td data-column="total">{policy.total ?? 'Not counted yet'}</td>
                  <td data-column="inProgress">{policy.inProgress}</td>
                  <td data-column="waiting">{policy.waiting}</td>
                  <td data-column="failed">{policy.failed}</td>
                  <td data-column="paused">{policy.paused ? 'Paused' : 'No'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}
