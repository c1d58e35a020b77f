'use client';
// A group's machines per version, drawn with Recharts as the Overview's OS versions are (ADR 0059), with the same
// counts in a table beside it for screen readers and for anyone who would rather read numbers.
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';

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
      <figure className="chart">
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
        <figcaption>Machines of {group} per version (the table has the same counts)</figcaption>
      </figure>
      <table data-testid={`versions-${group}`}>
        <caption>Machines of {group} per version</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Machines</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((entry) => (
            <tr key={entry.version} data-version={entry.version}>
              <td>{entry.version}</td>
              <td data-column="machines">{entry.machines}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
