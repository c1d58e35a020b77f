// The boot store over a matchbox data directory, read as matchbox lays it
// out (groups/*.json, profiles/*.json, ignition/, generic/, cloud/) without
// converting anything. Changes on disk are noticed (fs.watch, debounced, plus
// a slow periodic resync for file systems that do not report changes) and
// each rescan swaps in a new immutable snapshot. Writes go through
// writeFileAtomic, so a reader or a crash never sees half a file.
import { watch, type FSWatcher } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PUBLIC_FILE_MODE, SECRET_FILE_MODE, writeFileAtomic } from '@strata/host';
import { DataDirectoryError, InvalidResourceError } from '../errors.ts';
import { createBootLogger, type BootLogger } from '../logging.ts';
import { jsonDepth, MAX_METADATA_DEPTH } from '@strata/api';
import { groupSchema, profileSchema, TEMPLATE_KINDS, type Group, type Profile, type TemplateKind } from '@strata/api';
import { normalizeSelector } from '../matching/selector.ts';
import { resourcePath, type ResourceDirectory } from './names.ts';
import { scanDataDirectory, type DataProblem, type ScanCache } from './scan.ts';
import { EMPTY_SNAPSHOT } from './snapshot.ts';
import type { BootSnapshot, WritableBootStore } from './store.ts';
import type { z } from 'zod';

export interface DataDirectoryStoreOptions {
  readonly dataPath: string;
  readonly logger?: BootLogger;
  /** Quiet time after the last change event before rescanning; default 100 ms. */
  readonly debounceMs?: number;
  /** A full resync this often even without change events; default 60 s, 0 disables. */
  readonly resyncIntervalMs?: number;
  /** Watch for changes at all; default true. */
  readonly watch?: boolean;
}

const DIRECTORIES: readonly ResourceDirectory[] = ['groups', 'profiles', ...TEMPLATE_KINDS];

export class DataDirectoryStore implements WritableBootStore {
  readonly dataPath: string;
  readonly #logger: BootLogger;
  readonly #debounceMs: number;
  readonly #listeners = new Set<(snapshot: BootSnapshot) => void>();
  readonly #watchers = new Map<string, FSWatcher>();
  #snapshot: BootSnapshot = EMPTY_SNAPSHOT;
  #problems: readonly DataProblem[] = [];
  #cache: ScanCache = new Map();
  #debounce: NodeJS.Timeout | undefined;
  #resync: NodeJS.Timeout | undefined;
  /** The scan running or last run; scans never overlap. */
  #running: Promise<void> = Promise.resolve();
  /** A scan queued behind the running one, shared by everyone who asks meanwhile. */
  #queued: Promise<BootSnapshot> | undefined;
  #watching: boolean;
  #closed = false;

  private constructor(options: DataDirectoryStoreOptions) {
    this.dataPath = options.dataPath;
    this.#logger = options.logger ?? createBootLogger({ name: 'boot-store' });
    this.#debounceMs = options.debounceMs ?? 100;
    this.#watching = options.watch ?? true;
  }

  /** Reads the directory once and starts watching it. Throws DataDirectoryError when it is not a directory. */
  static async open(options: DataDirectoryStoreOptions): Promise<DataDirectoryStore> {
    const info = await stat(options.dataPath).catch((error: unknown) => {
      throw new DataDirectoryError(
        `data directory ${options.dataPath} cannot be read: ${error instanceof Error ? error.message : String(error)}`,
        { path: options.dataPath },
        { cause: error },
      );
    });
    if (!info.isDirectory())
      throw new DataDirectoryError(`data path ${options.dataPath} is not a directory`, { path: options.dataPath });
    const store = new DataDirectoryStore(options);
    await store.refresh();
    const interval = options.resyncIntervalMs ?? 60_000;
    if (interval > 0) {
      store.#resync = setInterval(() => store.#refreshInBackground('periodic resync'), interval);
      store.#resync.unref();
    }
    return store;
  }

  snapshot(): BootSnapshot {
    return this.#snapshot;
  }

  /** Files left out of the current snapshot, and why. */
  problems(): readonly DataProblem[] {
    return this.#problems;
  }

  onChange(listener: (snapshot: BootSnapshot) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Rescans now; resolves with the snapshot that includes every change made before the call. */
  refresh(): Promise<BootSnapshot> {
    if (this.#queued !== undefined) return this.#queued;
    const queued = this.#running.then(() => {
      this.#queued = undefined;
      return this.#scan();
    });
    this.#queued = queued;
    this.#running = queued.then(
      () => undefined,
      () => undefined,
    );
    return queued;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#debounce);
    clearInterval(this.#resync);
    for (const watcher of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
    this.#listeners.clear();
    await this.#running;
  }

  async putProfile(profile: Profile): Promise<void> {
    const valid = validate(profileSchema, profile, 'profile');
    await this.#write('profiles', valid.id, `${JSON.stringify(valid, null, 2)}\n`, PUBLIC_FILE_MODE);
  }

  deleteProfile(id: string): Promise<boolean> {
    return this.#delete('profiles', id);
  }

  async putGroup(group: Group): Promise<void> {
    const valid = validate(groupSchema, group, 'group');
    if (jsonDepth(valid.metadata) > MAX_METADATA_DEPTH) {
      throw new InvalidResourceError(`group ${valid.id}: metadata nests deeper than ${MAX_METADATA_DEPTH} levels`, {
        field: 'metadata',
        id: valid.id,
      });
    }
    const selector = normalizeSelector(valid.selector);
    if (selector === undefined) {
      throw new InvalidResourceError(`group ${valid.id}: selector "mac" is not a MAC address`, {
        field: 'selector.mac',
        id: valid.id,
      });
    }
    await this.#write('groups', valid.id, `${JSON.stringify({ ...valid, selector }, null, 2)}\n`, PUBLIC_FILE_MODE);
  }

  deleteGroup(id: string): Promise<boolean> {
    return this.#delete('groups', id);
  }

  /** Templates may hold secrets (a bootstrap token, say), so they are written readable by the owner only. */
  async putTemplate(kind: Exclude<TemplateKind, 'cloud'>, name: string, content: string): Promise<void> {
    await this.#write(kind, name, content, SECRET_FILE_MODE);
  }

  deleteTemplate(kind: Exclude<TemplateKind, 'cloud'>, name: string): Promise<boolean> {
    return this.#delete(kind, name);
  }

  async #write(directory: ResourceDirectory, name: string, content: string, mode: number): Promise<void> {
    this.#assertOpen();
    const path = resourcePath(this.dataPath, directory, name);
    try {
      await writeFileAtomic(path, content, mode);
    } catch (error) {
      throw new DataDirectoryError(
        `cannot write ${path}: ${error instanceof Error ? error.message : String(error)}`,
        { path },
        { cause: error },
      );
    }
    await this.refresh();
  }

  async #delete(directory: ResourceDirectory, name: string): Promise<boolean> {
    this.#assertOpen();
    const path = resourcePath(this.dataPath, directory, name);
    try {
      await rm(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw new DataDirectoryError(
        `cannot delete ${path}: ${error instanceof Error ? error.message : String(error)}`,
        { path },
        { cause: error },
      );
    }
    await this.refresh();
    return true;
  }

  async #scan(): Promise<BootSnapshot> {
    if (this.#closed) return this.#snapshot;
    const started = performance.now();
    const result = await scanDataDirectory(this.dataPath, this.#cache);
    this.#cache = result.cache;
    if (this.#watching && !this.#closed) this.#watch();
    if (!result.changed) return this.#snapshot;
    const previousProblems = new Set(this.#problems.map(problemKey));
    for (const problem of result.problems) {
      // Reported once, when it appears, rather than on every rescan.
      if (!previousProblems.has(problemKey(problem)))
        this.#logger.warn(
          { path: problem.path, field: problem.field, problem: problem.message },
          'skipped a data file that does not parse',
        );
    }
    this.#problems = result.problems;
    this.#snapshot = result.snapshot;
    this.#logger.info(
      {
        groups: result.snapshot.groups.size,
        profiles: result.snapshot.profiles.size,
        skipped: result.problems.length,
        ms: Math.round(performance.now() - started),
      },
      'loaded the data directory',
    );
    for (const listener of this.#listeners) {
      try {
        listener(result.snapshot);
      } catch (error) {
        this.#logger.error({ err: error }, 'a snapshot listener failed');
      }
    }
    return result.snapshot;
  }

  /** Watches the data directory and each resource directory that exists; called after every scan. */
  #watch(): void {
    for (const path of [this.dataPath, ...DIRECTORIES.map((directory) => join(this.dataPath, directory))]) {
      if (this.#watchers.has(path)) continue;
      let watcher: FSWatcher;
      try {
        watcher = watch(path, { persistent: false }, () => this.#changed());
      } catch {
        continue; // does not exist (yet): the data directory's own watcher sees it appear
      }
      watcher.on('error', () => {
        // The directory went away; forget the watcher and rescan, which watches again whatever exists.
        watcher.close();
        this.#watchers.delete(path);
        this.#changed();
      });
      this.#watchers.set(path, watcher);
    }
  }

  #changed(): void {
    if (this.#closed) return;
    clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => this.#refreshInBackground('change on disk'), this.#debounceMs);
    this.#debounce.unref();
  }

  #refreshInBackground(reason: string): void {
    this.refresh().catch((error: unknown) =>
      this.#logger.error(
        { err: error, reason },
        'rescanning the data directory failed; still serving the previous snapshot',
      ),
    );
  }

  #assertOpen(): void {
    if (this.#closed) throw new DataDirectoryError('the data directory store is closed', { path: this.dataPath });
  }
}

function validate<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join('.') ?? '';
  throw new InvalidResourceError(
    `${what}${field === '' ? '' : ` field "${field}"`}: ${issue?.message ?? 'is not valid'}`,
    { field },
  );
}

function problemKey(problem: DataProblem): string {
  return `${problem.path}\0${problem.field ?? ''}\0${problem.message}`;
}
