import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@strata/harness';
import { Supervisor, type CrashLoopError } from './supervisor.ts';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('Supervisor', () => {
  it('restarts a crashing component with back-off and reports a crash loop with its log', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-supervisor-'));
    dirs.push(dir);
    const restarts: number[] = [];
    const loops: CrashLoopError[] = [];
    const supervisor = new Supervisor({
      onRestart: (_name, _code, delayMs) => restarts.push(delayMs),
      onCrashLoop: (error) => loops.push(error),
    });
    supervisor.start({
      name: 'crasher',
      command: 'sh',
      args: ['-c', 'echo "cannot bind 127.0.0.2:2379"; exit 3'],
      logFile: join(dir, 'crasher.log'),
    });
    try {
      // The crash loop is reported once its log is read, after the third restart is scheduled: wait for both.
      await waitFor(
        'three restarts and the crash loop report',
        () => (restarts.length >= 3 && loops.length >= 1 ? true : undefined),
        15_000,
      );
      assert.deepEqual(restarts.slice(0, 3), [1000, 2000, 4000]);
      assert.equal(loops.length, 1);
      assert.match(loops[0]?.message ?? '', /crasher keeps crashing \(3 times in a row, last exit code 3\)/);
      assert.match(loops[0]?.message ?? '', /cannot bind 127\.0\.0\.2:2379/);
      const started = Date.now();
      await supervisor.stop();
      assert.ok(Date.now() - started < 2_000, 'stop cuts the back-off wait short');
    } finally {
      // A failed assertion must not leave the crasher restarting forever: the file's process would never end.
      await supervisor.stop();
    }
  });

  it('stops a running component', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-supervisor-'));
    dirs.push(dir);
    const supervisor = new Supervisor();
    const process = supervisor.start({
      name: 'sleeper',
      command: 'sleep',
      args: ['600'],
      logFile: join(dir, 'sleeper.log'),
    });
    const pid = await process.pid;
    await supervisor.stop();
    assert.throws(() => globalThis.process.kill(pid, 0), /ESRCH/);
    assert.equal(supervisor.restarts('sleeper'), 0);
  });
});
