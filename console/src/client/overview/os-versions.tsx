'use client';
// The Overview's chart of OS versions across the nodes (the update agent's version label, or the node's OS image
// where no agent reports one), live from the tab's watch stream. Recharts draws it; the same counts are in a table
// beside it for screen readers and for anyone who would rather read numbers.
import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import { countVersions } from '../../shared/os-versions.ts';
import { useNodeRows } from '../watch-provider.tsx';
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '../ui/table.tsx';
import { Alert } from '../ui/alert.tsx';

export function OsVersions() {
  const { rows, synced, error } = useNodeRows();
  const counts = useMemo(() => countVersions(rows.values()), [rows]);
  if (!synced) return <p>Loading nodes…</p>;
  const summary = counts.map((count) => `${count.version}: ${count.nodes}`).join('; ');
  return (
    <>
      {error === undefined ? null : (
        <Alert variant="destructive" role="alert">
          {error}
        </Alert>
      )}
      <figure className="m-0 mb-4">
        <div role="img" aria-label={`Nodes per OS version: ${summary === '' ? 'no nodes' : summary}`}>
          <BarChart
            width={560}
            height={Math.max(120, 48 + counts.length * 36)}
            data={counts}
            layout="vertical"
            margin={{ left: 24, right: 24 }}
            accessibilityLayer={false}
          >
            <CartesianGrid horizontal={false} />
            <XAxis type="number" allowDecimals={false} />
            <YAxis type="category" dataKey="version" width={200} />
            <Tooltip />
            <Bar dataKey="nodes" name="Nodes" fill="#2f5d8a" isAnimationActive={false} />
          </BarChart>
        </div>
        <figcaption className="text-sm text-slate-600">
          Nodes per OS version (the table below has the same counts)
        </figcaption>
      </figure>
      <Table data-testid="os-versions">
        <TableCaption>Nodes per OS version</TableCaption>
        <TableHeader>
          <TableRow>
            <TableHead>OS version</TableHead>
            <TableHead>Nodes</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {counts.map((count) => (
            <TableRow key={count.version} data-version={count.version}>
              <TableCell>{count.version}</TableCell>
              <TableCell data-column="nodes">{count.nodes}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </>
  );
}
