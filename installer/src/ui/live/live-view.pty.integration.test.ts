// `strata install --config` in a real pseudo-terminal (tmux, 80×24, NO_COLOR):
// the live view draws the phases and reaches the summary of a running local
// cluster; shrunk, it asks for a larger terminal; grown again, it redraws.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { resolveAllBinaries, resolveBinary } from '@strata/binaries';
import { InstallSandbox, localConfigYaml } from '../../testing/install-sandbox.ts';
import { TmuxTerminal } from '../../testing/tmux-terminal.ts';

describe('the live install view in a pseudo-terminal', () => {
  let sandbox: InstallSandbox;

  before(async () => {
    await resolveAllBinaries();
    await resolveBinary('pulumi');
    sandbox = await InstallSandbox.create();
  });

  after(async () => {
    await sandbox?.cleanup();
  });

  it('at 80×24 under NO_COLOR shows the phases live and the summary of a Ready cluster, without colour', async (t) => {
    const config = await sandbox.writeConfig('cluster.yaml', localConfigYaml({ name: 'ptytest', workers: 1 }));
    const dir = join(sandbox.root, 'cluster');
    const terminal = await TmuxTerminal.start(
      sandbox.strataCommandLine(['install', '--config', config, '--dir', dir]),
      {
        columns: 80,
        rows: 24,
        env: { NO_COLOR: '1' },
      },
    );
    let passed = false;
    try {
      const first = await terminal.waitForScreen('first-phase', /✔ preflight\s+done in/, 120_000);
      assert.match(first, /^Strata install/m);
      assert.match(first, /○ wait-nodes\s+waiting/);

      await terminal.resize(50, 15);
      await terminal.waitForScreen('too-small', /The terminal is 50×15; the install view needs at\s+least 60×20/);
      await terminal.resize(80, 24);

      const done = await terminal.waitForScreen('installed', /✔ Cluster "ptytest" is installed\./, 600_000);
      for (const phase of ['preflight', 'render', 'provision', 'wait-api', 'bootstrap', 'wait-nodes', 'summary'])
        assert.match(done, new RegExp(`✔ ${phase}\\s+done in`), phase);
      assert.match(done, new RegExp(`kubeconfig: +${dir}/`));
      await terminal.waitForScreen('exited', /\[exited 0\]/);
      const colours = await terminal.screen({ escapes: true });
      assert.doesNotMatch(colours, /\x1b\[[0-9;]*(3[0-7]|9[0-7]|38;)[0-9;]*m/); // eslint-disable-line no-control-regex
      for (const line of (await terminal.screen()).split('\n')) assert.ok(line.length <= 80, line);
      passed = true;
    } finally {
      if (!passed) {
        const captures = join(import.meta.dirname, '..', '..', '..', 'test-output', 'live-view-pty');
        await terminal.keepCaptures(captures);
        t.diagnostic(`screen captures kept in ${captures}`);
      }
      await terminal.close();
      const destroyed = await sandbox.strata(['destroy', '--dir', dir, '--yes']);
      assert.equal(destroyed.code, 0, destroyed.stderr);
    }
  });
});
