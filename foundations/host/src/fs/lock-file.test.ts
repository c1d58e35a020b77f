import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { withLockFile } from './lock-file.ts';

describe('withLockFile', () => {
  it('takes over a lock whose holder died (an interrupted run)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-lock-'));
    try {
      // A pid that surely no longer exists: a child that has already exited.
      const dead = spawnSync('true').pid ?? 0;
      const lock = join(dir, 'build.lock');
      await writeFile(lock, JSON.stringify({ pid: dead, host: hostname(), since: '2026-01-01T00:00:00Z' }));
      const result = await withLockFile(lock, async () => JSON.parse(await readFile(lock, 'utf8')) as { pid: number });
      assert.equal(result.pid, process.pid);
      await assert.rejects(readFile(lock), 'the lock is released afterwards');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('makes a second holder wait for the first, and tells it who holds the lock', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-lock-'));
    try {
      const lock = join(dir, 'build.lock');
      const order: string[] = [];
      const waitedFor: number[] = [];
      const first = withLockFile(lock, async () => {
        order.push('first:start');
        await sleep(300);
        order.push('first:end');
      });
      await sleep(50);
      const second = withLockFile(lock, () => Promise.resolve(order.push('second')), {
        pollIntervalMs: 20,
        onWait: (holder) => waitedFor.push(holder.pid),
      });
      await Promise.all([first, second]);
      assert.deepEqual(order, ['first:start', 'first:end', 'second']);
      assert.deepEqual(waitedFor, [process.pid]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('releases the lock when the work throws', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-lock-'));
    try {
      const lock = join(dir, 'build.lock');
      await assert.rejects(withLockFile(lock, () => Promise.reject(new Error('build failed'))), /build failed/);
      await assert.rejects(readFile(lock));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
