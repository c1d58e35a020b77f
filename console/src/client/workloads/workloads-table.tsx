'use client';
// A Workloads kind's table (virtual-table.tsx), its rows replaced in place from the tab's one watch stream.
import { createColumnHelper } from '@tanstack/react-table';
import Link from 'next/link';
import { useMemo } from 'react';
import { namespacedKey } from '../../shared/etcd-rows.ts';
import { objectPath, WORKLOAD_INFO, type WorkloadKind, type WorkloadRow } from '../../shared/workloads.ts';
import { useLiveRows } from '../live-rows.ts';
import { VirtualTable } from '../virtual-table.tsx';
import { Alert } from '../ui/alert.tsx';

const column = createColumnHelper<WorkloadRow>();

const DETAIL_HEADER: Readonly<Record<WorkloadKind, string>> = {
  namespaces: '',
  pods: 'Node',
  deployments: 'Images',
  daemonsets: 'Images',
  statefulsets: 'Images',
  services: 'Cluster IP and ports',
  events: 'Object and message',
};

const labelsText = (labels: Readonly<Record<string, string>>): string =>
  Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');

export function WorkloadsTable({ kind }: { readonly kind: WorkloadKind }) {
  const { rows, synced, error } = useLiveRows(kind);
  const info = WORKLOAD_INFO[kind];
  const data = useMemo(
    () =>
      [...rows.values()].sort((a, b) =>
        kind === 'events' ? b.created.localeCompare(a.created) : namespacedKey(a).localeCompare(namespacedKey(b)),
      ),
    [rows, kind],
  );
  const columns = useMemo(
    () => [
      ...(info.namespaced ? [column.accessor('namespace', { header: 'Namespace' })] : []),
      column.accessor('name', {
        header: 'Name',
        cell: (cell) => (
          <Link href={`/workloads/${objectPath(kind, cell.row.original.namespace, cell.getValue())}`}>
            {cell.getValue()}
          </Link>
        ),
      }),
      column.accessor('status', { header: kind === 'services' ? 'Type' : kind === 'events' ? 'Reason' : 'Status' }),
      ...(['pods', 'deployments', 'daemonsets', 'statefulsets'].includes(kind)
        ? [column.accessor('ready', { header: 'Ready' })]
        : []),
      ...(DETAIL_HEADER[kind] === '' ? [] : [column.accessor('detail', { header: DETAIL_HEADER[kind] })]),
      column.accessor((row) => labelsText(row.labels), { id: 'labels', header: 'Labels' }),
      column.accessor('created', { header: 'Created' }),
    ],
    [info.namespaced, kind],
  );
  return (
    <section aria-labelledby="workloads-heading">
      <p aria-live="polite" data-testid="workload-count">
        {synced ? `${data.length} ${info.title}` : `Loading ${info.title}…`}
      </p>
      {error === undefined ? null : (
        <Alert variant="destructive" role="alert">
          {error}
        </Alert>
      )}
      <VirtualTable data={data} columns={columns} label={`${info.title} table`} rowId={namespacedKey} />
    </section>
  );
}
