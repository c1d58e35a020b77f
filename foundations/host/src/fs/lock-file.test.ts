import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fork, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LockLostError, lockHolder, withLockFile, type LockHolder } from './lock-file.ts';

const CONTENDER = new URL('./testing/lock-contender.ts', import.meta.url);

/** A pid that surely no longer exists: a child that has already exited. */
function deadPid(): number {
  const pid = spawnSync('true').pid;
  assert.ok(pid !== undefined && pid > 0);
  return pid;
}

function holderOf(overrides: Partial<LockHolder> = {}): LockHolder {
  return { pid: deadPid(), host: hostname(), since: '2026-01-01T00:00:00Z', ...overrides };
}

/** A lock as withLockFile leaves it when its holder dies: a directory with the holder's file. */
async function leaveLock(path: string, holder: LockHolder): Promise<string> {
  await mkdir(path);
  const file = join(path, 'holder-0123456789abcdef.json');
  await writeFile(file, JSON.stringify(holder));
  return file;
}

async function withDirectory(test: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-lock-'));
  try {
    await test(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

describe('withLockFile', () => {
  it('takes over a lock whose holder died (an interrupted run), and removes it when done', () =>
    withDirectory(async (dir) => {
      const lock = join(dir, 'build.lock');
      await leaveLock(lock, holderOf());
      const during = await withLockFile(lock, () => lockHolder(lock));
      assert.equal(during?.pid, process.pid);
      assert.equal(await exists(lock), false, 'the lock is released afterwards');
    }));

  it('takes over a lock file of the former format whose holder died', () =>
    withDirectory(async (dir) => {
      const lock = join(dir, 'build.lock');
      await writeFile(lock, JSON.stringify(holderOf()));
      const during = await withLockFile(lock, () => lockHolder(lock));
      assert.equal(during?.pid, process.pid);
      assert.equal(await exists(lock), false);
    }));

  it('makes a second holder wait for the first, and tells it who holds the lock', () =>
    withDirectory(async (dir) => {
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
    }));

  it('waits for a live holder on another host until its lock is no longer refreshed', () =>
    withDirectory(async (dir) => {
      const lock = join(dir, 'build.lock');
      // Its pid means nothing here (it is this process's own), only its refreshes count.
      await leaveLock(lock, holderOf({ pid: process.pid, host: 'another-host' }));
      const waitedFor: string[] = [];
      const started = Date.now();
      await withLockFile(lock, () => Promise.resolve(), {
        staleMs: 400,
        pollIntervalMs: 20,
        onWait: (holder) => waitedFor.push(holder.host),
      });
      assert.ok(Date.now() - started >= 350, `taken over after ${Date.now() - started} ms, before it went stale`);
      assert.deepEqual(waitedFor, ['another-host']);
    }));

  it('takes over at once a lock from another host that was last refreshed long ago', () =>
    withDirectory(async (dir) => {
      const lock = join(dir, 'build.lock');
      const file = await leaveLock(lock, holderOf({ host: 'another-host' }));
      const longAgo = new Date(Date.now() - 3_600_000);
      await utimes(file, longAgo, longAgo);
      const waitedFor: string[] = [];
      await withLockFile(lock, () => Promise.resolve(), { onWait: (holder) => waitedFor.push(holder.host) });
      assert.deepEqual(waitedFor, []);
    }));

  it('fails a holder whose lock was taken from it while it worked', () =>
    withDirectory(async (dir) => {
      const lock = join(dir, 'build.lock');
      await assert.rejects(
        withLockFile(
          lock,
          async () => {
            // As a waiter on another host does when it finds the lock stale.
            const [holderFile] = await readdir(lock);
            assert.ok(holderFile !== undefined);
            await unlink(join(lock, holderFile));
            await sleep(200);
            return 'done';
          },
          { staleMs: 40 },
        ),
        LockLostError,
      );
    }));

  it('releases the lock when the work throws', () =>
    withDirectory(async (dir) => {
      const lock = join(dir, 'build.lock');
      await assert.rejects(
        withLockFile(lock, () => Promise.reject(new Error('build failed'))),
        /build failed/,
      );
      assert.equal(await exists(lock), false);
    }));

  it('gives a dead holder’s lock to one of many processes at a time, and to each in turn', { timeout: 120_000 }, () =>
    withDirectory(async (dir) => {
      const lock = join(dir, 'build.lock');
      const log = join(dir, 'log');
      await writeFile(log, '');
      await leaveLock(lock, holderOf());
      const contenders = 8;
      const rounds = 5;
      const children = Array.from({ length: contenders }, (_, id) =>
        fork(CONTENDER, [lock, log, String(id), String(rounds)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
      );
      try {
        const exits = children.map((child) => once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>);
        // Every contender is up before any starts, so that they all find the stale lock at once.
        await Promise.all(children.map((child) => once(child, 'message')));
        for (const child of children) child.send('go');
        const outcomes = await Promise.all(exits);
        assert.deepEqual(
          outcomes,
          children.map(() => [0, null]),
          'every contender got the lock each round and exited cleanly',
        );
      } finally {
        for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
      }
      const lines = (await readFile(log, 'utf8')).trim().split('\n');
      assert.equal(lines.length, contenders * rounds * 2);
      for (let index = 0; index < lines.length; index += 2) {
        const entered = /^enter (\d+)$/.exec(lines[index] ?? '');
        assert.ok(
          entered,
          `line ${index + 1} should be an entry while nobody holds the lock: ${lines.slice(index, index + 2).join(' | ')}`,
        );
        assert.equal(
          lines[index + 1],
          `exit ${entered[1]}`,
          `line ${index + 2}: another process entered while ${entered[1]} held the lock`,
        );
      }
      for (let id = 0; id < contenders; id += 1) {
        assert.equal(
          lines.filter((line) => line === `enter ${id}`).length,
          rounds,
          `contender ${id} held the lock ${rounds} times`,
        );
      }
      assert.equal(await exists(lock), false, 'the last holder released it');
    }),
  );
});
