import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { change, EventScript } from './event-fixtures.ts';
import { initialInstallState, reduceInstall, type InstallState } from './install-state.ts';

// Ink's chalk settles its colour level when it loads, and finds no terminal under the test runner: force colour on
// before Ink loads, so that the NO_COLOR test has colour to take away.
process.env['FORCE_COLOR'] = '1';
const { render } = await import('ink-testing-library');
const { InstallView, MIN_COLUMNS, MIN_ROWS } = await import('./install-view.tsx');

const ANSI = /\x1b\[[0-9;]*m/g; // eslint-disable-line no-control-regex

function stateOf(script: EventScript): InstallState {
  return script.events.reduce(reduceInstall, initialInstallState());
}

interface Screen {
  readonly raw: string;
  readonly lines: readonly string[];
}

function screen(
  script: EventScript,
  options: { columns?: number; rows?: number; color?: boolean; now?: number } = {},
): Screen {
  const { lastFrame, unmount } = render(
    <InstallView
      state={stateOf(script)}
      now={options.now ?? script.now}
      columns={options.columns ?? 80}
      rows={options.rows ?? 24}
      color={options.color ?? true}
    />,
  );
  try {
    const raw = lastFrame() ?? '';
    return { raw, lines: raw.replace(ANSI, '').split('\n') };
  } finally {
    unmount();
  }
}

function lineOf(screen: Screen, phase: string): string {
  const line = screen.lines.find((candidate) => candidate.slice(2).startsWith(`${phase} `));
  assert.ok(line !== undefined, `no line for ${phase} in:\n${screen.lines.join('\n')}`);
  return line;
}

/** The first phases of a fresh install, up to provisioning in progress with two resources of five in flight. */
function provisioning(): EventScript {
  return new EventScript()
    .ran('preflight', 1_200)
    .ran('render', 300)
    .started('provision')
    .resource('etcd-0', 'started', { done: 0, total: 5 })
    .advance(2_000)
    .resource('etcd-0', 'done', { done: 1, total: 5 }, { elapsedMs: 2_000 })
    .resource('kube-apiserver', 'started', { done: 1, total: 5 })
    .advance(500)
    .resource('controller-manager', 'started', { done: 1, total: 5 })
    .advance(3_000);
}

/** Every phase done up to the wait for the nodes, which runs. */
function upToWaitNodes(): EventScript {
  return new EventScript()
    .ran('preflight', 100)
    .ran('render', 100)
    .ran('provision', 100)
    .ran('wait-api', 100)
    .ran('bootstrap', 100)
    .started('wait-nodes');
}

describe('InstallView', () => {
  it('shows the phases as a checklist: done with durations, running with its elapsed time, the rest waiting', () => {
    const view = screen(provisioning());
    assert.match(lineOf(view, 'preflight'), /^✔ preflight\s+done in 1\.2s$/);
    assert.match(lineOf(view, 'render'), /^✔ render\s+done in 300ms$/);
    assert.match(lineOf(view, 'provision'), /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] provision\s+running 5\.5s$/);
    for (const phase of ['wait-api', 'bootstrap', 'wait-nodes', 'summary'])
      assert.match(lineOf(view, phase), new RegExp(`^○ ${phase}\\s+waiting$`));
  });

  it('during provisioning shows a bar of resources done out of the total and those in flight with their elapsed time', () => {
    const view = screen(provisioning());
    const bar = view.lines.find((line) => line.includes('resources'));
    assert.equal(bar?.trim(), `[${'#'.repeat(4)}${'-'.repeat(16)}] 1/5 resources`);
    const inFlight = view.lines.filter((line) => /^\s{4}\S create /.test(line)).map((line) => line.trim().slice(2));
    assert.deepEqual(inFlight, [
      'create kube-apiserver (local:Process) 3.5s',
      'create controller-manager (local:Process) 3.0s',
    ]);
  });

  it('turns the spinner as the clock moves', () => {
    const script = provisioning();
    const first = lineOf(screen(script), 'provision').at(0);
    const later = lineOf(screen(script, { now: script.now + 80 }), 'provision').at(0);
    assert.notEqual(first, later);
  });

  it('on failure shows the error, the diagnosis and the last log lines of the failing part', () => {
    const logTail = Array.from({ length: 4 }, (_, index) => `apiserver: log line ${index + 1}`);
    const script = provisioning()
      .resource('kube-apiserver', 'done', { done: 2, total: 5 })
      .resource('controller-manager', 'done', { done: 3, total: 5 })
      .succeeded('provision', 0)
      .started('wait-api')
      .failed('wait-api', 90_000, 'the API server did not answer at https://127.0.0.2:6443', {
        failing: 'connection refused',
        logTail,
        nextStep: 'strata install again resumes',
      });
    const view = screen(script);
    assert.match(lineOf(view, 'wait-api'), /^✖ wait-api\s+FAILED after 1m30s$/);
    const text = view.lines.join('\n');
    assert.match(text, /✖ wait-api failed: the API server did not answer at https:\/\/127\.0\.0\.2:6443/);
    assert.match(text, /✔ ok\s+dns: resolves/);
    assert.match(text, /✖ failed\s+tcp: connection refused/);
    assert.match(text, /- skipped\s+readyz: no connection/);
    for (const line of logTail)
      assert.ok(
        view.lines.some((candidate) => candidate.trim() === line),
        line,
      );
    assert.match(text, /Next step: strata install again resumes/);
    assert.ok(view.lines.length <= 24, `${view.lines.length} rows:\n${text}`);
  });

  it('keeps only the last log lines that fit in 24 rows', () => {
    const logTail = Array.from({ length: 30 }, (_, index) => `log line ${index + 1}`);
    const script = new EventScript()
      .ran('preflight', 10)
      .started('render')
      .failed('render', 10, 'boom', { failing: 'x', logTail, nextStep: 'fix it' });
    const view = screen(script);
    assert.ok(view.lines.length <= 24, `${view.lines.length} rows`);
    assert.ok(view.lines.some((line) => line.trim() === 'log line 30'));
    assert.ok(!view.lines.some((line) => line.trim() === 'log line 1'));
  });

  it('on success shows the summary: the kubeconfig, the API server and the next commands', () => {
    const script = new EventScript();
    for (const phase of ['preflight', 'render', 'provision', 'wait-api', 'bootstrap', 'wait-nodes', 'summary'] as const)
      script.ran(phase, 1_000);
    script.summary('dev', { preflight: 1_000 });
    const view = screen(script);
    const text = view.lines.join('\n');
    assert.match(view.lines[0] ?? '', /^Strata install: dev \(local\)$/);
    assert.match(text, /✔ Cluster "dev" is installed\./);
    assert.match(text, /kubeconfig: {2}\/data\/dev\/auth\/kubeconfig/);
    assert.match(text, /API server: {2}https:\/\/127\.0\.0\.2:6443/);
    assert.match(text, /Next: kubectl --kubeconfig \/data\/dev\/auth\/kubeconfig get nodes/);
    assert.ok(view.lines.length <= 24);
  });

  it('a resumed install shows the phases it skipped and why', () => {
    const script = new EventScript()
      .ran('preflight', 100)
      .ran('render', 100)
      .skipped('provision', 'the journal says it is done and the config did not change')
      .started('wait-api');
    const view = screen(script);
    assert.match(
      lineOf(view, 'provision'),
      /^↷ provision\s+skipped: the journal says it is done and the config did not change$/,
    );
  });

  it('while waiting for the nodes shows each machine with its state and the time in it', () => {
    const script = upToWaitNodes()
      .machine('controller-0', 'unseen', 'controller')
      .machine('worker-0', 'unseen')
      .machine('worker-1', 'unseen')
      .advance(1_000)
      .machine('controller-0', 'registered', 'controller')
      .machine('worker-0', 'ignition-fetched')
      .advance(2_000)
      .machine('controller-0', 'ready', 'controller')
      .advance(500);
    const view = screen(script);
    const machines = view.lines.filter((line) => / \((controller|worker)\) /.test(line)).map((line) => line.trim());
    assert.deepEqual(machines, [
      '✔ controller-0 (controller) Ready 500ms',
      '◑ worker-0 (worker) Ignition fetched 2.5s',
      '○ worker-1 (worker) not seen yet 3.5s',
    ]);
    assert.ok(view.lines.length <= 24);
  });

  it('summarizes the machines when they do not fit 80×24: counts per state, then the laggards', () => {
    const script = upToWaitNodes();
    for (let index = 0; index < 30; index += 1) script.machine(`worker-${index}`, 'ready');
    script
      .machine('worker-7', 'registered')
      .advance(1_000)
      .machine('worker-3', 'unseen')
      .machine('worker-9', 'booting');
    const view = screen(script, { columns: 80, rows: 24 });
    const text = view.lines.join('\n');
    assert.ok(view.lines.length <= 24, `${view.lines.length} rows:\n${text}`);
    assert.match(text, /30 machines: 27 Ready, 1 kubelet registered, 1 booting, 1 not seen yet/);
    const laggards = view.lines.filter((line) => / \(worker\) /.test(line)).map((line) => line.trim().split(' ')[1]);
    assert.deepEqual(laggards, ['worker-3', 'worker-9', 'worker-7']);
    assert.ok(!text.includes('worker-0 '), 'a Ready machine is not a laggard');
  });

  it('with more laggards than rows names as many as fit and counts the rest', () => {
    const script = upToWaitNodes();
    for (let index = 0; index < 40; index += 1) script.machine(`worker-${index}`, 'unseen');
    const view = screen(script, { columns: 80, rows: 24 });
    assert.ok(view.lines.length <= 24, view.lines.join('\n'));
    const more = view.lines.find((line) => line.includes('more not Ready'));
    const named = view.lines.filter((line) => / \(worker\) /.test(line)).length;
    assert.ok(named > 0);
    assert.equal(more?.trim(), `… and ${40 - named} more not Ready`);
  });

  it('names the planned changes of a changed config', () => {
    const script = new EventScript().ran('preflight', 10).preview([change('etcd-0', 'update', ['args'])]);
    assert.match(
      screen(script).lines.join('\n'),
      /1 change\(s\) planned: update\s+local:Process etcd-0 \(changes: args\)/,
    );
  });

  it('under NO_COLOR writes no colour, and every state still reads from its symbol and its word', () => {
    const script = provisioning();
    // The same screen with colour does colour, so the absence below is NO_COLOR's doing.
    assert.match(screen(script, { color: true }).raw, /\x1b\[(3|9)\dm/); // eslint-disable-line no-control-regex
    const plain = screen(script, { color: false });
    assert.doesNotMatch(plain.raw, /\x1b\[(3|9)\d(;\d+)*m/); // eslint-disable-line no-control-regex
    assert.match(lineOf(plain, 'preflight'), /✔ preflight\s+done/);
    assert.match(lineOf(plain, 'wait-api'), /○ wait-api\s+waiting/);
  });

  it('at 80 columns cuts long lines instead of wrapping them', () => {
    const script = new EventScript().ran('preflight', 10).skipped('render', 'x'.repeat(200));
    const view = screen(script, { columns: 80 });
    for (const line of view.lines) assert.ok(line.length <= 80, `${line.length}: ${line}`);
    assert.equal(view.lines.length, 8);
  });

  it('asks for a larger terminal when it is too small, instead of a garbled screen', () => {
    for (const [columns, rows] of [
      [MIN_COLUMNS - 1, 24],
      [80, MIN_ROWS - 1],
    ] as const) {
      const view = screen(provisioning(), { columns, rows });
      assert.match(
        view.lines.join(' '),
        new RegExp(`The terminal is ${columns}×${rows}; .* needs at least ${MIN_COLUMNS}×${MIN_ROWS}`),
      );
      assert.ok(!view.lines.some((line) => line.includes('preflight')));
    }
  });
});
