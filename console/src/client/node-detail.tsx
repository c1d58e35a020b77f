'use client';
// One node's page: what the Nodes page shows of it, its conditions, the pods bound to it (and what a drain does with
// each) and the Events about it, all live from the tab's one stream. Cordon, uncordon and drain appear only when the
// server page's SelfSubjectAccessReviews allowed them; the API server decides each request again.
import { useMemo, useState } from 'react';
import type { DrainReport } from '../shared/node-detail.ts';
import { describeDrainDecision } from '../shared/node-detail.ts';
import { ConditionsTable } from './etcd/etcd-tables.tsx';
import { EventsTable, newestFirst } from './events-table.tsx';
import { useLiveRows } from './live-rows.ts';
import { CordonButton, DrainButton, DrainReportView, RebootsButton, rebootsOutcome } from './node-actions.tsx';
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from './ui/table.tsx';
import { Alert } from './ui/alert.tsx';
import { Card } from './ui/card.tsx';
import { DescriptionList } from './ui/description-list.tsx';

export function NodeDetail({
  name,
  canPatch,
  canDrain,
}: {
  readonly name: string;
  readonly canPatch: boolean;
  readonly canDrain: boolean;
}) {
  const node = useLiveRows('nodedetail', name);
  const pods = useLiveRows('nodepods', name);
  const events = useLiveRows('nodeevents', name);
  const [actionError, setActionError] = useState<string | undefined>(undefined);
  const [report, setReport] = useState<DrainReport | undefined>(undefined);
  const [rebootsNote, setRebootsNote] = useState<string | undefined>(undefined);
  const row = node.rows.get(name);
  const podRows = useMemo(
    () =>
      [...pods.rows.values()].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name)),
    [pods.rows],
  );
  const eventRows = useMemo(() => newestFirst(events.rows.values()), [events.rows]);

  return (
    <>
      {node.error === undefined ? null : (
        <Alert variant="destructive" role="alert">
          {node.error}
        </Alert>
      )}
      {!node.synced ? (
        <p aria-live="polite">Loading the node…</p>
      ) : row === undefined ? (
        <Alert variant="destructive" role="alert" data-testid="node-missing">
          There is no node {name} (or it was deleted).
        </Alert>
      ) : (
        <Card aria-labelledby="node-summary">
          <h2 id="node-summary">Summary</h2>
          <DescriptionList data-testid="node-summary">
            <dt>Roles</dt>
            <dd data-field="roles">{row.roles.length === 0 ? '—' : row.roles.join(', ')}</dd>
            <dt>Status</dt>
            <dd data-field="status">{row.schedulable ? row.ready : `${row.ready}, SchedulingDisabled`}</dd>
            <dt>Container Linux</dt>
            <dd data-field="osImage">{row.osImage}</dd>
            <dt>OS version</dt>
            <dd data-field="osVersion">{row.osVersion ?? '—'}</dd>
            <dt>Kubelet</dt>
            <dd data-field="kubeletVersion">{row.kubeletVersion}</dd>
            <dt>Update</dt>
            <dd data-field="updateState">{row.updateState}</dd>
            <dt>Reboots</dt>
            <dd data-field="reboots">{row.rebootsPaused ? 'Paused' : 'Allowed'}</dd>
          </DescriptionList>
          {canPatch ? (
            <p className="flex gap-1">
              <CordonButton row={row} onError={setActionError} />
              {canDrain ? (
                <DrainButton
                  name={name}
                  onReport={(drained) => {
                    setActionError(undefined);
                    setReport(drained);
                  }}
                  onError={setActionError}
                />
              ) : null}
              <RebootsButton
                row={row}
                onAnswer={(answer) => {
                  setActionError(undefined);
                  setRebootsNote(rebootsOutcome(answer));
                }}
                onError={setActionError}
              />
            </p>
          ) : null}
          {rebootsNote === undefined ? null : (
            <Alert variant="success" role="status" data-testid="reboots-outcome">
              {rebootsNote}
            </Alert>
          )}
          {actionError === undefined ? null : (
            <Alert variant="destructive" role="alert" data-testid="action-error">
              {actionError}
            </Alert>
          )}
          {report === undefined ? null : <DrainReportView report={report} />}
        </Card>
      )}
      {row === undefined ? null : (
        <Card aria-labelledby="node-conditions">
          <h2 id="node-conditions">Conditions</h2>
          <ConditionsTable conditions={row.conditions} caption={`Conditions of ${name}`} />
        </Card>
      )}
      <Card aria-labelledby="node-pods">
        <h2 id="node-pods">Pods</h2>
        {pods.error === undefined ? null : (
          <Alert variant="destructive" role="alert">
            {pods.error}
          </Alert>
        )}
        <p aria-live="polite" data-testid="pod-count">
          {pods.synced ? `${podRows.length} pods` : 'Loading pods…'}
        </p>
        {podRows.length === 0 ? null : (
          <Table>
            <TableCaption>Pods on {name}</TableCaption>
            <TableHeader>
              <TableRow>
                <TableHead>Namespace</TableHead>
                <TableHead>Name</TableHead>
                <TableHead>Phase</TableHead>
                <TableHead>Controller</TableHead>
                <TableHead>On drain</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {podRows.map((pod) => (
                <TableRow key={`${pod.namespace}/${pod.name}`} data-pod={`${pod.namespace}/${pod.name}`}>
                  <TableCell data-column="namespace">{pod.namespace}</TableCell>
                  <TableCell data-column="name">{pod.name}</TableCell>
                  <TableCell data-column="phase">{pod.phase}</TableCell>
                  <TableCell data-column="controller">{pod.controller ?? '—'}</TableCell>
                  <TableCell data-column="drain">{describeDrainDecision(pod.drain)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Card>
      <Card aria-labelledby="node-events">
        <h2 id="node-events">Events</h2>
        {events.error === undefined ? null : (
          <Alert variant="destructive" role="alert">
            {events.error}
          </Alert>
        )}
        <p aria-live="polite" data-testid="event-count">
          {events.synced ? `${eventRows.length} events` : 'Loading events…'}
        </p>
        <EventsTable events={eventRows} caption={`Events about ${name}, newest first`} about={false} />
      </Card>
    </>
  );
}
