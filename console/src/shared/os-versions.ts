// The Overview's count of nodes per OS version: a pure function of the node rows, kept apart from the chart so that
// it is tested on its own.
import type { NodeRow } from './node-row.ts';

export interface VersionCount {
  readonly version: string;
  readonly nodes: number;
}

/** The update agent's version label; where no agent reports one, the OS image the kubelet reports. */
const versionOf = (row: NodeRow): string => row.osVersion ?? (row.osImage === '' ? 'Not reported' : row.osImage);

/** Nodes per OS version, the most common first (ties by version), so that the chart and the table read alike. */
export function countVersions(rows: Iterable<NodeRow>): VersionCount[] {
  const counts = new Map<string, number>();
  for (const row of rows) {
    const version = versionOf(row);
    counts.set(version, (counts.get(version) ?? 0) + 1);
  }
  return [...counts]
    .map(([version, nodes]) => ({ version, nodes }))
    .sort((a, b) => b.nodes - a.nodes || a.version.localeCompare(b.version));
}
