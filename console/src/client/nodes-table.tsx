'use client';
// The Nodes page's table: TanStack Table for the columns, TanStack Virtual so that only the rows in view are in the
// DOM (thousands of nodes stay cheap), rows replaced in place as watch events come. Every value is rendered as a
// React text child, which React escapes.
import { createColumnHelper } from '@tanstack/react-table';
import Link from 'next/link';
import { useMemo, useState } from 'react';
import type { NodeRow } from '../shared/node-row.ts';
import { CordonButton, DrainButton, drainSummary, RebootsButton, rebootsOutcome } from './node-actions.tsx';
import { Alert } from './ui/alert.tsx';
import { VirtualTable } from './virtual-table.tsx';
import { useNodeRows } from './watch-provider.tsx';

const column = createColumnHelper<NodeRow>();

/** `canPatch`: cordon and uncordon; `canDrain`: drain too (patch nodes and create pods/eviction). */
export function NodesTable({ canPatch, canDrain }: { readonly canPatch: boolean; readonly canDrain: boolean }) {
  const { rows, synced, error } = useNodeRows();
  const [actionError, setActionError] = useState<string | undefined>(undefined);
  const [outcome, setOutcome] = useState<string | undefined>(undefined);
  const data = useMemo(() => [...rows.values()].sort((a, b) => a.name.localeCompare(b.name)), [rows]);
  const columns = useMemo(
    () => [
      column.accessor('name', {
        header: 'Name',
        cell: (cell) => <Link href={`/nodes/${encodeURIComponent(cell.getValue())}`}>{cell.getValue()}</Link>,
      }),
      column.accessor((row) => (row.roles.length === 0 ? '—' : row.roles.join(', ')), { id: 'roles', header: 'Roles' }),
      column.accessor((row) => (row.schedulable ? row.ready : `${row.ready}, SchedulingDisabled`), {
        id: 'status',
        header: 'Status',
      }),
      column.accessor('osImage', { header: 'Container Linux' }),
      column.accessor((row) => row.osVersion ?? '—', { id: 'osVersion', header: 'OS version' }),
      column.accessor('kubeletVersion', { header: 'Kubelet' }),
      column.accessor((row) => (row.rebootsPaused ? `${row.updateState} (reboots paused)` : row.updateState), {
        id: 'updateState',
        header: 'Update',
      }),
      ...(canPatch
        ? [
            // An accessor of the name (the row's id) rather than a display column: every column's value is then text.
            column.accessor('name', {
              id: 'actions',
              header: 'Actions',
              cell: (cell) => (
                <span className="flex gap-1">
                  <CordonButton row={cell.row.original} onError={setActionError} />
                  {canDrain ? (
                    <DrainButton
                      name={cell.row.original.name}
                      onReport={(report) => {
                        setActionError(undefined);
                        setOutcome(`${drainSummary(report)} Each pod is on the node’s page.`);
                      }}
                      onError={setActionError}
                    />
                  ) : null}
                  <RebootsButton
                    row={cell.row.original}
                    onAnswer={(answer) => {
                      setActionError(undefined);
                      setOutcome(rebootsOutcome(answer));
                    }}
                    onError={setActionError}
                  />
                </span>
              ),
            }),
          ]
        : []),
    ],
    [canPatch, canDrain],
  );
  return (
    <section aria-labelledby="nodes-heading" className="flex flex-col gap-3">
      <p aria-live="polite" data-testid="node-count" className="m-0 text-sm text-slate-700">
        {synced ? `${data.length} nodes` : 'Loading nodes…'}
      </p>
      {error === undefined ? null : (
        <Alert variant="destructive" role="alert">
          {error}
        </Alert>
      )}
      {actionError === undefined ? null : (
        <Alert variant="destructive" role="alert" data-testid="action-error">
          {actionError}
        </Alert>
      )}
      {outcome === undefined ? null : (
        <Alert variant="success" role="status" data-testid="action-outcome">
          {outcome}
        </Alert>
      )}
      <VirtualTable data={data} columns={columns} label="Nodes table" rowId={(row) => row.name} rowAttribute="node" />
    </section>
  );
}
