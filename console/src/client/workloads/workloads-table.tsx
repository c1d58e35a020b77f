'use client';
// A Workloads kind's table, as the Nodes page's: TanStack Table for the columns, TanStack Virtual so that only the
// rows in view are in the DOM, rows replaced in place from the tab's one watch stream. Every value is a React text
// child, which React escapes (labels and Event messages are anyone's text).
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import Link from 'next/link';
import { useMemo, useRef } from 'react';
import { namespacedKey } from '../../shared/etcd-rows.ts';
import { objectPath, WORKLOAD_INFO, type WorkloadKind, type WorkloadRow } from '../../shared/workloads.ts';
import { useLiveRows } from '../live-rows.ts';

const ROW_HEIGHT = 37;
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
  const table = useReactTable({ data, columns, getCoreRowModel: getCoreRowModel(), getRowId: namespacedKey });
  const scroller = useRef<HTMLDivElement>(null);
  const tableRows = table.getRowModel().rows;
  const virtualizer = useVirtualizer({
    count: tableRows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
  });
  const items = virtualizer.getVirtualItems();
  const before = items[0]?.start ?? 0;
  const after = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);
  const width = columns.length;

  return (
    <section aria-labelledby="workloads-heading">
      <p aria-live="polite" data-testid="workload-count">
        {synced ? `${data.length} ${info.title}` : `Loading ${info.title}…`}
      </p>
      {error === undefined ? null : <p role="alert">{error}</p>}
      <div ref={scroller} className="table-scroller" tabIndex={0} aria-label={`${info.title} table`}>
        <table>
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => (
                  <th key={header.id} scope="col">
                    {flexRender(header.column.columnDef.header, header.getContext())}
                  </th>
                ))}
              </tr>
            ))}
          </thead>
          <tbody>
            {before > 0 ? (
              <tr aria-hidden="true">
                <td colSpan={width} style={{ height: before, padding: 0 }} />
              </tr>
            ) : null}
            {items.map((item) => {
              const row = tableRows[item.index];
              if (row === undefined) return null;
              return (
                <tr key={row.id} data-row={row.id} style={{ height: ROW_HEIGHT }}>
                  {row.getVisibleCells().map((cell) => (
                    <td key={cell.id} data-column={cell.column.id}>
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  ))}
                </tr>
              );
            })}
            {after > 0 ? (
              <tr aria-hidden="true">
                <td colSpan={width} style={{ height: after, padding: 0 }} />
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}
