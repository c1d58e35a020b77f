// `strata install` with no config in a real pseudo-terminal (tmux, 80×24,
// NO_COLOR): the wizard's defaults for a local cluster of one worker, a name
// typed, the review confirmed; the file is written and the live view takes
// over and reaches a Ready cluster, which `strata destroy` then removes.
// It starts a local cluster: run it under the fixed-addresses lock.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveAllBinaries, resolveBinary } from '@strata/binaries';
import { parseClusterConfig } from '@strata/assets';
import { InstallSandbox } from '../../testing/install-sandbox.ts';
import { TmuxTerminal } from '../../testing/tmux-terminal.ts';

const COLOUR = /\x1b\[[0-9;]*(3[0-7]|9[0-7]|38;)[0-9;]*m/; // eslint-disable-line no-control-regex

describe('the wizard through to a running local cluster', () => {
  let sandbox: InstallSandbox;

  before(async () => {
    await resolveAllBinaries();
    await resolveBinary('pulumi');
    sandbox = await InstallSandbox.create();
  });

  after(async () => {
    await sandbox?.cleanup();
  });

  it('asks, writes cluster.yaml, installs it in the live view up to Ready, and the cluster is destroyed', async (t) => {
    const dir = join(sandbox.root, 'cluster');
    const terminal = await TmuxTerminal.start(sandbox.strataCommandLine(['install', '--dir', dir]), {
      columns: 80,
      rows: 24,
      cwd: sandbox.root,
      // HOME stays: the pinned binaries are cached under it; its ~/.ssh keys, if any, are offered and fit a local cluster.
      env: { NO_COLOR: '1' },
    });
    let passed = false;
    try {
      await terminal.waitForScreen('platform', /1\/8 Platform[\s\S]*◉ local/, 120_000);
      await terminal.type('Enter');
      await terminal.waitForScreen('details', /2\/8 Platform details/);
      await terminal.type('Enter');
      await terminal.waitForScreen('cluster', /3\/8 Cluster/);
      await terminal.type('wizard', { literal: true });
      const cluster = await terminal.waitForScreen('named', /Name +wizard/);
      assert.match(cluster, /Workers +1/);
      for (const [screen, fields] of [
        ['3/8', 4],
        ['4/8', 1],
        ['5/8', 2],
        ['6/8', 1],
        ['7/8', 2],
      ] as const) {
        await terminal.waitForScreen(`at-${screen.replace('/', '-')}`, new RegExp(screen));
        for (let field = 0; field < fields; field++) await terminal.type('Enter');
      }
      const review = await terminal.waitForScreen('review', /8\/8 Review[\s\S]*Enter: write cluster\.yaml and install/);
      assert.match(review, /cluster\.yaml \(new file\)/);
      assert.doesNotMatch(await terminal.screen({ escapes: true }), COLOUR);
      await terminal.type('Enter');

      const first = await terminal.waitForScreen('live-view', /✔ preflight\s+done in/, 120_000);
      assert.match(first, /^Strata install/m);
      const done = await terminal.waitForScreen('installed', /✔ Cluster "wizard" is installed\./, 600_000);
      for (const phase of ['provision', 'wait-api', 'bootstrap', 'wait-nodes'])
        assert.match(done, new RegExp(`✔ ${phase}\\s+done in`), phase);
      await terminal.waitForScreen('exited', /\[exited 0\]/, 120_000, { history: 24 });
      assert.doesNotMatch(await terminal.screen({ escapes: true }), COLOUR);
      for (const line of (await terminal.screen()).split('\n')) assert.ok(line.length <= 80, line);

      const written = parseClusterConfig(await readFile(join(sandbox.root, 'cluster.yaml'), 'utf8'), {
        hostNetworks: [sandbox.hostNetwork],
      });
      assert.ok(written.ok, written.ok ? '' : written.message);
      assert.equal(written.config.name, 'wizard');
      assert.equal(written.config.workerPools[0]?.count, 1);
      passed = true;
    } finally {
      if (!passed) {
        const captures = join(import.meta.dirname, '..', '..', '..', 'test-output', 'wizard-install-pty');
        await terminal.keepCaptures(captures);
        t.diagnostic(`screen captures kept in ${captures}`);
      }
      await terminal.close();
      const destroyed = await sandbox.strata(['destroy', '--dir', dir, '--yes']);
      assert.equal(destroyed.code, 0, destroyed.stderr);
    }
  });
});
