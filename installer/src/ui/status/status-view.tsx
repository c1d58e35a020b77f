import { Box, Text } from 'ink';
import { formatMs } from '../../install/format.ts';
import { MIN_COLUMNS, MIN_ROWS } from '../live/install-view.tsx';
import { nodesByOs, nodeStateWords, type ClusterStatus, type NodeStatus, type ProbedHealth } from './cluster-status.ts';

export interface StatusViewProps {
  readonly status: ClusterStatus;
  /** The clock, in milliseconds since the epoch: the probes' ages derive from it. */
  readonly now: number;
  /** How often the health probes run again, for the footer. */
  readonly probeIntervalMs: number;
  readonly columns: number;
  readonly rows: number;
  readonly color: boolean;
}

type Tone = 'green' | 'red' | 'yellow' | 'gray';

type NodeRow =
  | { readonly kind: 'os'; readonly text: string }
  | { readonly kind: 'node'; readonly node: NodeStatus }
  | { readonly kind: 'more'; readonly text: string };

const needsAttention = (node: NodeStatus): boolean => !node.ready || node.cordoned || node.update !== undefined;

/**
 * The nodes in at most `rows` lines: every node under its OS version when they fit; otherwise a count line per
 * OS version and the nodes that need attention (not Ready, cordoned, or in an update), as many as fit.
 */
export function nodeRows(nodes: readonly NodeStatus[], rows: number): NodeRow[] {
  const groups = nodesByOs(nodes);
  const countLine = (os: string, members: readonly NodeStatus[]): NodeRow => ({
    kind: 'os',
    text: `${os}: ${members.length} node(s), ${members.filter((node) => node.ready).length} Ready`,
  });
  const full = groups.flatMap(({ os, nodes: members }) => [
    countLine(os, members),
    ...members.map((node): NodeRow => ({ kind: 'node', node })),
  ]);
  if (full.length <= rows) return full;
  const counts = groups.map(({ os, nodes: members }) => countLine(os, members)).slice(0, rows);
  const attention = groups.flatMap(({ nodes: members }) => members.filter(needsAttention));
  const room = rows - counts.length;
  if (attention.length <= room) return [...counts, ...attention.map((node): NodeRow => ({ kind: 'node', node }))];
  if (room < 1) return counts;
  return [
    ...counts,
    ...attention.slice(0, room - 1).map((node): NodeRow => ({ kind: 'node', node })),
    { kind: 'more', text: `… and ${attention.length - (room - 1)} more node(s) not Ready, cordoned or updating` },
  ];
}

function healthLine(health: ProbedHealth | undefined, now: number): { symbol: string; text: string; tone: Tone } {
  if (health === undefined) return { symbol: '…', text: 'probing', tone: 'gray' };
  const age = `checked ${formatMs(Math.max(0, now - health.checkedAt))} ago`;
  return health.healthy
    ? { symbol: '✔', text: `healthy (${age}): ${health.detail}`, tone: 'green' }
    : { symbol: '✖', text: `UNHEALTHY (${age}): ${health.detail}`, tone: 'red' };
}

/** An installed cluster as a person watches it: API and etcd health, the nodes by OS version, the update rollout. */
export function StatusView({ status, now, probeIntervalMs, columns, rows, color }: StatusViewProps) {
  if (columns < MIN_COLUMNS || rows < MIN_ROWS) {
    return (
      <Text wrap="wrap">
        The terminal is {columns}×{rows}; the status view needs at least {MIN_COLUMNS}×{MIN_ROWS}. Enlarge the window.
      </Text>
    );
  }
  const tint = (tone: Tone) => (color ? { color: tone } : {});
  const api = healthLine(status.api, now);
  const etcd = healthLine(status.etcd, now);
  const problems = Object.entries(status.watchProblems);
  const policies = status.policies ?? [];
  const policyRows = Math.max(1, policies.length);
  // Title, API, etcd, the Nodes heading, the Updates heading and its rows, the watch problems, the footer.
  const nodeBudget = Math.max(0, rows - 4 - 1 - policyRows - problems.length - 1);
  const nodes = status.nodes;
  const lines = nodes === undefined ? [] : nodeRows(nodes, nodeBudget);
  return (
    <Box flexDirection="column" width={columns}>
      <Text bold wrap="truncate-end">
        Strata status: {status.cluster} ({status.platform}) {status.apiServerUrl}
      </Text>
      <Text wrap="truncate-end">
        <Text {...tint(api.tone)}>{api.symbol}</Text> API {'   '}
        <Text {...tint(api.tone)}>{api.text}</Text>
      </Text>
      <Text wrap="truncate-end">
        <Text {...tint(etcd.tone)}>{etcd.symbol}</Text> etcd {'  '}
        <Text {...tint(etcd.tone)}>{etcd.text}</Text>
      </Text>
      <Text wrap="truncate-end">
        {nodes === undefined
          ? '… nodes   listing'
          : `${nodes.every((node) => node.ready) ? '✔' : '✖'} nodes   ${nodes.filter((node) => node.ready).length}/${nodes.length} Ready`}
      </Text>
      {lines.map((line, index) => {
        if (line.kind !== 'node')
          return (
            <Text key={`row-${index}`} wrap="truncate-end">
              {'  '}
              {line.text}
            </Text>
          );
        const tone: Tone = !line.node.ready
          ? 'red'
          : line.node.cordoned || line.node.update !== undefined
            ? 'yellow'
            : 'green';
        const update =
          line.node.update === undefined
            ? ''
            : `  ${line.node.update}${line.node.newVersion === undefined ? '' : ` to ${line.node.newVersion}`}`;
        return (
          <Text key={line.node.name} wrap="truncate-end">
            {'    '}
            <Text {...tint(tone)}>{line.node.ready ? '✔' : '✖'}</Text> {line.node.name.padEnd(20)}{' '}
            {line.node.role.padEnd(10)} <Text {...tint(tone)}>{nodeStateWords(line.node)}</Text>
            {update}
          </Text>
        );
      })}
      {status.policies === undefined ? (
        <Text wrap="truncate-end">… updates listing UpdatePolicies</Text>
      ) : policies.length === 0 ? (
        <Text wrap="truncate-end">- updates no UpdatePolicy: the update operator has nothing to roll out</Text>
      ) : (
        policies.map((policy) => (
          <Text key={policy.name} wrap="truncate-end">
            {policy.active.some((condition) => condition.type !== 'Progressing') ? '✖' : '✔'} updates {policy.name}:{' '}
            {policy.upToDate === undefined ? '' : `${policy.upToDate}/${policy.total} updated, `}
            {policy.inProgress.length === 0 ? 'none in progress' : `in progress: ${policy.inProgress.join(', ')}`}
            {policy.active.map((condition) => `; ${condition.type} (${condition.reason})`).join('')}
          </Text>
        ))
      )}
      {problems.map(([what, problem]) => (
        <Text key={what} wrap="truncate-end" {...tint('yellow')}>
          ! watch of {what} restarting: {problem}
        </Text>
      ))}
      <Text wrap="truncate-end" {...tint('gray')}>
        q quits · nodes and updates follow watches · health re-probed every {formatMs(probeIntervalMs)}
      </Text>
    </Box>
  );
}
