import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClusterStatus } from './cluster-status.ts';
import { aClusterStatus, aNode, aPolicy, NOW } from './status-fixtures.ts';

// Ink's chalk settles its colour level when it loads; force colour on first, so that NO_COLOR has colour to take away.
process.env['FORCE_COLOR'] = '1';
const { render } = await import('ink-testing-library');
const { StatusView } = await import('./status-view.tsx');

const ANSI = /\x1b\[[0-9;]*m/g; // eslint-disable-line no-control-regex

function screen(status: ClusterStatus, options: { rows?: number; color?: boolean } = {}) {
  const { lastFrame, unmount } = render(
    <StatusView
      status={status}
      now={NOW}
      probeIntervalMs={10_000}
      columns={80}
      rows={options.rows ?? 24}
      color={options.color ?? false}
    />,
  );
  try {
    const raw = lastFrame() ?? '';
    return { raw, lines: raw.replace(ANSI, '').split('\n') };
  } finally {
    unmount();
  }
}

const trimmed = (lines: readonly string[]) => lines.map((line) => line.trimEnd());

describe('StatusView', () => {
  it('shows API and etcd health with their age, the nodes under their OS version, and the rollout', () => {
    const status = aClusterStatus(
      [
        aNode({ name: 'dev-controller-0', controller: true }),
        aNode({ name: 'dev-worker-0', version: '4152.2.1' }),
        aNode({ name: 'dev-worker-1', rebootNeeded: true, newVersion: '4152.2.1' }),
        aNode({ name: 'dev-worker-2', cordoned: true }),
      ],
      [aPolicy('default', { total: 3, upToDate: 1, inProgress: ['dev-worker-1'] })],
    );
    const view = trimmed(screen(status).lines);
    assert.equal(view[0], 'Strata status: dev (local) https://127.0.0.2:6443');
    assert.equal(view[1], '✔ API    healthy (checked 1.0s ago): /readyz answers 200: all 40 checks pass');
    assert.equal(view[2], '✔ etcd   healthy (checked 1.0s ago): answering: dev-controller-0');
    assert.equal(view[3], '✔ nodes   4/4 Ready');
    assert.deepEqual(view.slice(4, 10), [
      '  flatcar 4152.2.0: 3 node(s), 3 Ready',
      '    ✔ dev-controller-0     controller Ready',
      '    ✔ dev-worker-1         worker     Ready  reboot needed to 4152.2.1',
      '    ✔ dev-worker-2         worker     Ready,SchedulingDisabled',
      '  flatcar 4152.2.1: 1 node(s), 1 Ready',
      '    ✔ dev-worker-0         worker     Ready',
    ]);
    assert.equal(view[10], '✔ updates default: 1/3 updated, in progress: dev-worker-1');
    assert.match(view.at(-1) ?? '', /nodes and updates follow watches · health re-probed every 10\.0s/);
  });

  it('marks an unhealthy API, a NotReady node and a blocked policy', () => {
    const status: ClusterStatus = {
      ...aClusterStatus(
        [aNode({ name: 'dev-worker-0', ready: false })],
        [aPolicy('default', { total: 1, upToDate: 0, blocked: 'OutsideRebootWindow' })],
      ),
      api: { healthy: false, detail: '/readyz answers 500: [-]etcd failed', checkedAt: NOW - 4_000 },
    };
    const text = screen(status).lines.join('\n');
    assert.match(text, /✖ API {4}UNHEALTHY \(checked 4\.0s ago\): \/readyz answers 500: \[-\]etcd failed/);
    assert.match(text, /✖ nodes {3}0\/1 Ready/);
    assert.match(text, /✖ dev-worker-0 +worker +NotReady/);
    assert.match(text, /✖ updates default: 0\/1 updated, none in progress; Blocked \(OutsideRebootWindow\)/);
  });

  it('before the first answers says what it is waiting for, and names a watch that restarts', () => {
    const status: ClusterStatus = {
      cluster: 'dev',
      platform: 'local',
      apiServerUrl: 'https://127.0.0.2:6443',
      watchProblems: { nodes: 'connect ECONNREFUSED 127.0.0.2:6443' },
    };
    const text = screen(status).lines.join('\n');
    assert.match(text, /… API {4}probing/);
    assert.match(text, /… nodes {3}listing/);
    assert.match(text, /… updates listing UpdatePolicies/);
    assert.match(text, /! watch of nodes restarting: connect ECONNREFUSED 127\.0\.0\.2:6443/);
  });

  it('with more nodes than rows counts them per OS version and lists those that need attention', () => {
    const nodes = Array.from({ length: 40 }, (_, index) =>
      aNode({
        name: `dev-worker-${String(index).padStart(2, '0')}`,
        ready: index !== 7,
        cordoned: index === 12,
        version: index < 30 ? '4152.2.0' : '4152.2.1',
      }),
    );
    const view = screen(aClusterStatus(nodes, [aPolicy('default', { total: 40, upToDate: 10 })]), { rows: 24 });
    assert.ok(view.lines.length <= 24, `${view.lines.length} rows`);
    const text = view.lines.join('\n');
    assert.match(text, /flatcar 4152\.2\.0: 30 node\(s\), 29 Ready/);
    assert.match(text, /flatcar 4152\.2\.1: 10 node\(s\), 10 Ready/);
    const listed = view.lines.filter((line) => /dev-worker-\d\d/.test(line)).map((line) => line.trim());
    assert.deepEqual(listed, [
      '✖ dev-worker-07        worker     NotReady',
      '✔ dev-worker-12        worker     Ready,SchedulingDisabled',
    ]);
  });

  it('under NO_COLOR writes no colour; with colour it does', () => {
    const status = aClusterStatus([aNode({ name: 'dev-worker-0', ready: false })]);
    assert.match(screen(status, { color: true }).raw, /\x1b\[(3|9)\dm/); // eslint-disable-line no-control-regex
    assert.doesNotMatch(screen(status, { color: false }).raw, /\x1b\[(3|9)\d(;\d+)*m/); // eslint-disable-line no-control-regex
  });

  it('at 80×24 cuts long lines instead of wrapping them', () => {
    const status = aClusterStatus([aNode({ name: `dev-${'x'.repeat(120)}` })]);
    for (const line of screen(status).lines) assert.ok(line.length <= 80, `${line.length}: ${line}`);
  });
});
