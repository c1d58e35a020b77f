'use client';
// One CRD's objects: namespace (when namespaced), name, the CRD's printer columns in its order, and the age column
// kubectl adds. The shared virtual table renders them as text. The rows listed when the page was rendered are shown
// until the tab's stream has its own first list; from then on every row is the stream's, updated in place.
import { createColumnHelper } from '@tanstack/react-table';
import Link from 'next/link';
import { useMemo } from 'react';
import { customObjectPath, type CrdInfo, type CustomRow } from '../../shared/custom-resources.ts';
import { namespacedKey } from '../../shared/etcd-rows.ts';
import { useLiveRows } from '../live-rows.ts';
import { VirtualTable } from '../virtual-table.tsx';
import { Alert } from '../ui/alert.tsx';

const column = createColumnHelper<CustomRow>();

export function CustomResourceTable({ crd, initial }: { readonly crd: CrdInfo; readonly initial: CustomRow[] }) {
  const live = useLiveRows('customresources', { group: crd.group, plural: crd.plural });
  const rows = useMemo(
    () =>
      live.synced ? [...live.rows.values()].sort((a, b) => namespacedKey(a).localeCompare(namespacedKey(b))) : initial,
    [live, initial],
  );
  const columns = useMemo(
    () => [
      ...(crd.namespaced ? [column.accessor('namespace', { header: 'Namespace' })] : []),
      column.accessor('name', {
        header: 'Name',
        cell: (cell) => (
          <Link href={`/resources/${customObjectPath(crd, cell.row.original.namespace, cell.getValue())}`}>
            {cell.getValue()}
          </Link>
        ),
      }),
      ...crd.printerColumns.map((printer, index) =>
        column.accessor((row) => row.cells[index] ?? '', { id: `printer-${index}`, header: printer.name }),
      ),
      column.accessor('created', { header: 'Created' }),
    ],
    [crd],
  );
  return (
    <section aria-labelledby="resources-heading">
      <p aria-live="polite" data-testid="resource-count">
        {rows.length} {crd.plural}
        {live.synced ? ' (live)' : ''}
      </p>
      {live.error === undefined ? null : (
        <Alert variant="destructive" role="alert">
          {live.error}
        </Alert>
      )}
      <VirtualTable data={rows} columns={columns} label={`${crd.plural} table`} rowId={namespacedKey} />
    </section>
  );
}
