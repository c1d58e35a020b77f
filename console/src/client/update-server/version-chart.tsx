'use client';
// A group's machines per version, drawn with Recharts as the Overview's OS versions are (ADR 0059), with the same
// counts in a table beside it for screen readers and for anyone who would rather read numbers.
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '../ui/table.tsx';

export interface VersionCount {
  readonly version: string;
  readonly machines: number;
}

export function VersionChart({
  group,
  versions,
}: {
  readonly group: string;
  readonly versions: readonly VersionCount[];
}) {
  if (versions.length === 0) return <p>No machine of {group} has checked in.</p>;
  const summary = versions.map((entry) => `${entry.version}: ${entry.machines}`).join('; ');
  return (
    <>
      <figure className="m-0">
        <div role="img" aria-label={`Machines of ${group} per version: ${summary}`}>
          <BarChart
            width={520}
            height={Math.max(110, 48 + versions.length * 32)}
            data={[...versions]}
            layout="vertical"
            margin={{ left: 24, right: 24 }}
            accessibilityLayer={false}
          >
            <CartesianGrid horizontal={false} />
            <XAxis type="number" allowDecimals={false} />
            <YAxis type="category" dataKey="version" width={160} />
            <Tooltip />
            <Bar dataKey="machines" name="Machines" fill="#2f5d8a" isAnimationActive={false} />
          </BarChart>
        </div>
        <figcaption className="text-sm text-slate-600">
          Machines of {group} per version (the table has the same counts)
        </figcaption>
      </figure>
      <Table data-testid={`versions-${group}`}>
        <TableCaption>Machines of {group} per version</TableCaption>
        <TableHeader>
          <TableRow>
            <TableHead>Version</TableHead>
            <TableHead>Machines</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {versions.map((entry) => (
            <TableRow key={entry.version} data-version={entry.version}>
              <TableCell>{entry.version}</TableCell>
              <TableCell data-column="machines">{entry.machines}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </>
  );
}
