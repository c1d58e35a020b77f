// `strata status` in a real pseudo-terminal (tmux, 80×24, NO_COLOR) on a
// local cluster with one worker: the live view shows the API, etcd and both
// nodes, and a node cordoned with kubectl changes state on screen without a
// restart (the Node watch brings it); q quits with exit code 0. The install
// before it, without a terminal, prints each machine's state as it waits.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { resolveAllBinaries, resolveBinary } from '@strata/binaries';
import { InstallDirectory } from '../../install/cluster-dir.ts';
import { InstallSandbox, localConfigYaml } from '../../testing/install-sandbox.ts';
import { TmuxTerminal } from '../../testing/tmux-terminal.ts';

describe('the live status view in a pseudo-terminal', () => {
  let sandbox: InstallSandbox;
  let kubectl: string;

  before(async () => {
    await resolveAllBinaries();
    await resolveBinary('pulumi');
    kubectl = await resolveBinary('kubectl');
    sandbox = await InstallSandbox.create();
  });

  after(async () => {
    await sandbox?.cleanup();
  });

  it('shows a running cluster live and follows a cordon without a restart', async (t) => {
    const config = await sandbox.writeConfig('cluster.yaml', localConfigYaml({ name: 'stlive', workers: 1 }));
    const dir = join(sandbox.root, 'cluster');
    const install = await sandbox.strata(['install', '--config', config, '--dir', dir]);
    let terminal: TmuxTerminal | undefined;
    let passed = false;
    try {
      assert.equal(install.code, 0, install.stderr);
      // The wait for the nodes reported each machine, from its Node object, up to Ready.
      const machineLines = install.stderr.split('\n').filter((line) => line.trim().startsWith('machine '));
      for (const role of ['controller', 'worker'])
        assert.ok(
          machineLines.some((line) => line.includes(`(${role}): Ready (from Node Ready condition)`)),
          machineLines.join('\n'),
        );

      terminal = await TmuxTerminal.start(sandbox.strataCommandLine(['status', '--dir', dir]), {
        columns: 80,
        rows: 24,
        env: { NO_COLOR: '1' },
      });
      const first = await terminal.waitForScreen('ready', /✔ nodes +2\/2 Ready/, 120_000);
      assert.match(first, /^Strata status: stlive \(local\)/m);
      await terminal.waitForScreen('healthy', /✔ API +healthy[\s\S]*✔ etcd +healthy/, 120_000);
      const worker = /✔ (\S+) +worker +Ready\s*$/m.exec(first)?.[1];
      assert.ok(worker !== undefined, first);

      const cordon = await sandbox.run(kubectl, [
        '--kubeconfig',
        new InstallDirectory(dir).kubeconfigPath,
        'cordon',
        worker,
      ]);
      assert.equal(cordon.code, 0, cordon.stderr);
      await terminal.waitForScreen(
        'cordoned',
        new RegExp(`${worker.replaceAll('.', '\\.')} +worker +Ready,SchedulingDisabled`),
        15_000,
      );
      for (const line of (await terminal.screen()).split('\n')) assert.ok(line.length <= 80, line);

      await terminal.type('q', { literal: true });
      await terminal.waitForScreen('exited', /\[exited 0\]/, 120_000);
      passed = true;
    } finally {
      if (!passed && terminal !== undefined) {
        const captures = join(import.meta.dirname, '..', '..', '..', 'test-output', 'live-status-pty');
        await terminal.keepCaptures(captures);
        t.diagnostic(`screen captures kept in ${captures}`);
      }
      await terminal?.close();
      const destroyed = await sandbox.strata(['destroy', '--dir', dir, '--yes']);
      assert.equal(destroyed.code, 0, destroyed.stderr);
    }
  });
});
