import { hostname } from 'node:os';
import { open, readFile, rm, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

export interface LockOptions {
  /** Called while another live process holds the lock. */
  readonly onWait?: (holder: LockHolder) => void;
  readonly pollIntervalMs?: number;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(path: string): Promise<LockHolder | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockHolder;
  } catch {
    // Unreadable or half-written: treated as held by nobody, see below.
    return undefined;
  }
}

/** A lock file with no readable holder is being written, or its writer died mid-write. */
const HALF_WRITTEN_GRACE_MS = 10_000;

async function olderThan(path: string, ageMs: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(path)).mtimeMs > ageMs;
  } catch {
    return true;
  }
}

/**
 * An exclusive lock between processes on one machine, held by a file created
 * with O_EXCL. A lock left behind by a process that died (an interrupted
 * build) is taken over rather than waited on forever.
 */
export async function withLockFile<T>(path: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const me: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  let lastReported: number | undefined;
  for (;;) {
    try {
      const handle = await open(path, 'wx', 0o644);
      await handle.writeFile(JSON.stringify(me));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readHolder(path);
    const stale =
      holder === undefined
        ? await olderThan(path, HALF_WRITTEN_GRACE_MS)
        : holder.host === me.host && !isAlive(holder.pid);
    if (stale) {
      await rm(path, { force: true });
      continue;
    }
    if (holder !== undefined && holder.pid !== lastReported) {
      options.onWait?.(holder);
      lastReported = holder.pid;
    }
    await sleep(options.pollIntervalMs ?? 1000);
  }
  try {
    return await work();
  } finally {
    await rm(path, { force: true });
  }
}
