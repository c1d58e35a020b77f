'use client';
// The console's tables (Nodes, the OS updates page's rollout, Workloads, custom resources): TanStack Table for the
// columns, TanStack Virtual so that only the rows in view are in the DOM and in the table's row model. Every value is a React text child, which React escapes (labels, messages and
// printer columns are anyone's text).
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef } from 'react';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from './ui/table.tsx';

const ROW_HEIGHT = 37;
const estimateSize = () => ROW_HEIGHT;

export function VirtualTable<Row, Value = string>({
  data,
  columns,
  label,
  rowId,
  rowAttribute = 'row',
}: {
  readonly data: Row[];
  /** What each cell renders is a React child: text, or elements whose text React escapes. */
  readonly columns: ColumnDef<Row, Value>[];
  readonly label: string;
  readonly rowId: (row: Row) => string;
  /** The row's id goes in its `data-<rowAttribute>` attribute, for tests and styles to find it by. */
  readonly rowAttribute?: string;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: data.length,
    getScrollElement: () => scroller.current,
    estimateSize,
    overscan: 20,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items.at(-1)?.index ?? -1;
  // Only the rows in view go through TanStack Table. Its row model is rebuilt whenever `data` changes, which is every
  // watch event; built for 5,000 nodes it was most of an event's cost in the page, garbage collection above all
  // (ADR 0068, docs/benchmarks.md).
  const inView = useMemo(() => data.slice(first, last + 1), [data, first, last]);
  const table = useReactTable({
    data: inView,
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (row) => rowId(row),
  });
  const tableRows = table.getRowModel().rows;
  const before = items[0]?.start ?? 0;
  const after = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);
  const width = columns.length;

  return (
    <div
      ref={scroller}
      data-slot="table-container"
      className="max-h-[70vh] overflow-auto rounded-md border border-slate-300 bg-white focus-visible:ring-2 focus-visible:ring-sky-600"
      tabIndex={0}
      aria-label={label}
    >
      <Table>
        <TableHeader>
          {table.getHeaderGroups().map((group) => (
            <TableRow key={group.id} className="hover:bg-transparent">
              {group.headers.map((header) => (
                <TableHead key={header.id}>{flexRender(header.column.columnDef.header, header.getContext())}</TableHead>
              ))}
            </TableRow>
          ))}
        </TableHeader>
        <TableBody>
          {before > 0 ? (
            <tr aria-hidden="true">
              <td colSpan={width} style={{ height: before, padding: 0 }} />
            </tr>
          ) : null}
          {items.map((item) => {
            const row = tableRows[item.index - first];
            if (row === undefined) return null;
            return (
              <TableRow key={row.id} {...{ [`data-${rowAttribute}`]: row.id }} style={{ height: ROW_HEIGHT }}>
                {row.getVisibleCells().map((cell) => (
                  <TableCell key={cell.id} data-column={cell.column.id}>
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </TableCell>
                ))}
              </TableRow>
            );
          })}
          {after > 0 ? (
            <tr aria-hidden="true">
              <td colSpan={width} style={{ height: after, padding: 0 }} />
            </tr>
          ) : null}
        </TableBody>
      </Table>
    </div>
  );
}
