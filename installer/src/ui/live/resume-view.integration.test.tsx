// A resumed install in the live view, from the real engine: the first run
// fails in the wait for the API (a platform whose API never answers), the
// rerun skips what the journal shows done for the same config, and the view
// says which phases it skipped and why.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { render } from 'ink-testing-library';
import { diagnose } from '../../diagnostics/index.ts';
import { runInstall } from '../../install/engine.ts';
import { InstallEvents } from '../../install/events.ts';
import { Journal } from '../../install/journal.ts';
import { localConfigYaml } from '../../testing/install-sandbox.ts';
import { closedPort, platformAt } from '../../testing/platform-at.ts';
import { InstallStateStore } from './install-state.ts';
import { InstallView } from './install-view.tsx';

describe('a resumed install in the live view', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('shows the phases the journal had done as skipped, with when and why, and runs the rest', async () => {
    const root = await mkdtemp(join(tmpdir(), 'strata-resume-view-'));
    dirs.push(root);
    const configPath = join(root, 'cluster.yaml');
    await writeFile(configPath, localConfigYaml({ name: 'resumed', timeouts: { waitApi: '2s' } }));
    const url = `https://127.0.0.1:${await closedPort()}`;
    const run = async () => {
      const events = new InstallEvents();
      const store = new InstallStateStore(events);
      const error = await runInstall({
        configPath,
        dir: () => join(root, 'cluster'),
        events,
        drivers: { local: platformAt(url) },
        diagnose,
        confirm: () => Promise.resolve(false),
      }).then(
        () => undefined,
        (failure: unknown) => failure,
      );
      store.close();
      assert.ok(error instanceof Error, 'the API never answers: the wait for it fails');
      const { lastFrame, unmount } = render(
        <InstallView state={store.state} now={Date.now()} columns={80} rows={24} color={false} />,
      );
      const lines = (lastFrame() ?? '').split('\n');
      unmount();
      return lines;
    };
    const lineOf = (lines: readonly string[], phase: string) => lines.find((line) => line.startsWith(`${phase} `, 2));

    const first = await run();
    for (const phase of ['preflight', 'render', 'provision']) assert.match(lineOf(first, phase) ?? '', /^✔ /);
    const records = (await new Journal(join(root, 'cluster', 'journal.jsonl')).read()).records;
    const doneAt = (phase: string) =>
      (records.find((record) => record.phase === phase && record.status === 'succeeded')?.at ?? 'never').slice(0, 19);

    const second = await run();
    for (const phase of ['preflight', 'render'])
      assert.equal(
        lineOf(second, phase),
        `↷ ${phase.padEnd(11)} skipped: done at ${doneAt(phase).replace('T', ' ')}Z, same config (journal)`,
        second.join('\n'),
      );
    // Provisioning reconciles with what really runs, so it runs on every resume; the phase that failed runs again.
    assert.match(lineOf(second, 'provision') ?? '', /^✔ provision\s+done in /);
    assert.match(lineOf(second, 'wait-api') ?? '', /^✖ wait-api\s+TIMED OUT after /);
  });
});
