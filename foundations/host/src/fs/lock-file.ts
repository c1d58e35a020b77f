import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { StrataError } from '@strata/api';

const lockHolderSchema = z.object({
  pid: z.number().int().positive(),
  host: z.string(),
  since: z.string(),
});

export type LockHolder = z.infer<typeof lockHolderSchema>;

export interface LockOptions {
  /** Called while another live process holds the lock. */
  readonly onWait?: (holder: LockHolder) => void;
  readonly pollIntervalMs?: number;
  /**
   * A holder on another host (a cache shared between machines or containers)
   * cannot be asked whether it is alive: its lock is taken over once it has
   * not been refreshed for this long. A holder refreshes it every quarter of
   * this. On this host the holder's pid decides instead.
   */
  readonly staleMs?: number;
}

/** The lock was taken from its holder while it worked: another process may have worked at the same time. */
export class LockLostError extends StrataError {}

/** Something other than a lock is at the lock's path. */
export class UnusableLockError extends StrataError {}

const DEFAULT_STALE_MS = 60_000;
/** A lock file of the former format with no readable holder is being written, or its writer died mid-write. */
const HALF_WRITTEN_GRACE_MS = 10_000;
const HOLDER_PREFIX = 'holder-';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
}

/** Runs `operation`, treating the listed error codes (a race lost to another process) as done. */
async function tolerating(codes: readonly string[], operation: () => Promise<unknown>): Promise<void> {
  try {
    await operation();
  } catch (error) {
    if (!codes.includes(errorCode(error) ?? '')) throw error;
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const parsed = lockHolderSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    // Not JSON: no holder can be named, the caller falls back to the lock's age.
    return undefined;
  }
}

type Observed =
  | { readonly kind: 'free' }
  | {
      readonly kind: 'held';
      readonly holder: LockHolder | undefined;
      readonly stale: boolean;
      readonly remove: () => Promise<void>;
    };

/**
 * What is at `path` now. A lock is a directory holding one file named after
 * its holder's unique token; a plain file is a lock of the former format
 * (O_EXCL-created JSON), which may be left by a run that died before the
 * upgrade.
 */
async function observe(path: string, me: LockHolder, staleMs: number): Promise<Observed> {
  let entries: string[];
  try {
    entries = await readdir(path);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') return { kind: 'free' };
    if (code !== 'ENOTDIR') throw error;
    return observeFormerFormat(path, me);
  }
  const holderFile = entries.find((entry) => entry.startsWith(HOLDER_PREFIX));
  if (holderFile === undefined) {
    // A lock directory holds one holder file or nothing; anything else would make every rename onto it fail.
    if (entries.length > 0)
      throw new UnusableLockError(`the lock directory ${path} holds files that are not a lock holder`, {
        path,
        entries,
      });
    return { kind: 'free' };
  }
  const holderPath = join(path, holderFile);
  let text: string;
  let ageMs: number;
  try {
    text = await readFile(holderPath, 'utf8');
    ageMs = Date.now() - (await stat(holderPath)).mtimeMs;
  } catch (error) {
    // Released or taken over since the listing: look again.
    if (errorCode(error) === 'ENOENT') return { kind: 'free' };
    throw error;
  }
  const holder = parseHolder(text);
  const stale = holder !== undefined && holder.host === me.host ? !isAlive(holder.pid) : ageMs > staleMs;
  // The holder file's name is unique to one acquisition, so this can only
  // ever remove the lock judged stale: if another waiter took it over first,
  // the name is gone and a fresh lock is left alone.
  return { kind: 'held', holder, stale, remove: () => tolerating(['ENOENT'], () => unlink(holderPath)) };
}

async function observeFormerFormat(path: string, me: LockHolder): Promise<Observed> {
  let holder: LockHolder | undefined;
  let ageMs: number;
  try {
    holder = parseHolder(await readFile(path, 'utf8'));
    ageMs = Date.now() - (await stat(path)).mtimeMs;
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'EISDIR') return { kind: 'free' };
    throw error;
  }
  const stale = holder === undefined ? ageMs > HALF_WRITTEN_GRACE_MS : holder.host === me.host && !isAlive(holder.pid);
  // unlink() never removes a directory, so it cannot remove a lock of the
  // current format that another waiter put here meanwhile.
  return { kind: 'held', holder, stale, remove: () => tolerating(['ENOENT', 'EISDIR', 'EPERM'], () => unlink(path)) };
}

/** Who holds the lock at `path`, if anyone does (for messages and tests). */
export async function lockHolder(path: string): Promise<LockHolder | undefined> {
  const observed = await observe(path, { pid: process.pid, host: hostname(), since: '' }, Number.POSITIVE_INFINITY);
  return observed.kind === 'held' ? observed.holder : undefined;
}

/**
 * An exclusive lock between processes, held by a directory at `path` that
 * contains a file naming its holder. Every step that changes the lock is
 * atomic:
 * - taking it renames a prepared directory (holder file already written)
 *   onto `path`, which rename(2) allows only if `path` is absent or an empty
 *   directory, so of all waiters exactly one wins;
 * - a lock left by a holder that died (an interrupted build) is emptied by
 *   removing the holder file under its unique name, which cannot touch a lock
 *   someone else took meanwhile, and then taken by the same rename;
 * - the holder releases it by removing its own holder file.
 * Nothing is ever deleted and re-created under the same name, so two waiters
 * that both saw a stale lock cannot delete each other's new one.
 */
export async function withLockFile<T>(path: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const me: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const token = randomBytes(8).toString('hex');
  const holderName = `${HOLDER_PREFIX}${token}.json`;
  const candidate = join(dirname(path), `.${basename(path)}.${token}.candidate`);
  await mkdir(candidate);
  try {
    await writeFile(join(candidate, holderName), JSON.stringify(me));
    await acquire(path, candidate, me, staleMs, options);
  } catch (error) {
    await rm(candidate, { recursive: true, force: true });
    throw error;
  }

  const holderPath = join(path, holderName);
  let lost: unknown;
  const refresh = setInterval(() => {
    const now = new Date();
    utimes(holderPath, now, now).catch((error: unknown) => {
      lost ??= error;
    });
  }, staleMs / 4);
  refresh.unref();

  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await work() };
  } catch (error) {
    outcome = { ok: false, error };
  }
  clearInterval(refresh);
  try {
    await unlink(holderPath);
  } catch (error) {
    lost ??= error;
  }
  // Empty now, so free already; removing it only tidies up, and fails
  // harmlessly if the next holder has already renamed its directory onto it.
  await tolerating(['ENOENT', 'ENOTEMPTY', 'EEXIST'], () => rmdir(path));
  if (lost !== undefined) {
    throw new LockLostError(
      `the lock ${path} was taken over while this process (${me.pid}) held it`,
      { path, holder: me },
      {
        cause: outcome.ok ? lost : outcome.error,
      },
    );
  }
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

async function acquire(
  path: string,
  candidate: string,
  me: LockHolder,
  staleMs: number,
  options: LockOptions,
): Promise<void> {
  let lastReported: number | undefined;
  for (;;) {
    try {
      await rename(candidate, path);
      return;
    } catch (error) {
      // ENOTEMPTY/EEXIST: a held lock; ENOTDIR: a lock file of the former format.
      if (!['ENOTEMPTY', 'EEXIST', 'ENOTDIR'].includes(errorCode(error) ?? '')) throw error;
    }
    const observed = await observe(path, me, staleMs);
    if (observed.kind === 'free') continue;
    if (observed.stale) {
      await observed.remove();
      continue;
    }
    const holder = observed.holder;
    if (holder !== undefined && holder.pid !== lastReported) {
      options.onWait?.(holder);
      lastReported = holder.pid;
    }
    await sleep(options.pollIntervalMs ?? 1000);
  }
}
