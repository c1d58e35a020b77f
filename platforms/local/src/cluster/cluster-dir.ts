import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { StrataError } from '@strata/api';
import { strataDataDir, withLockFile, writeFileAtomic } from '@strata/host';

export class ClusterDirectoryError extends StrataError {}

const identitySchema = z.strictObject({ name: z.string(), platform: z.literal('local'), createdAt: z.string() });
const pidSchema = z.strictObject({ pid: z.number().int(), startedAt: z.string() });

/** Where `strata up` keeps a cluster when no --dir is given: $XDG_DATA_HOME/strata/clusters/<name>. */
export function defaultClusterDir(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(strataDataDir(env), 'clusters', name);
}

/**
 * A cluster directory: `cluster.json` says which cluster it holds, so that a
 * directory is never reused for another cluster (whose keys it would mix up),
 * and `strata-up.pid` says which process runs it.
 */
export class ClusterDirectory {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  get assetsDir(): string {
    return join(this.path, 'assets');
  }

  get logsDir(): string {
    return join(this.path, 'logs');
  }

  get kubeconfigPath(): string {
    return join(this.assetsDir, 'auth', 'admin.kubeconfig');
  }

  get #identityPath(): string {
    return join(this.path, 'cluster.json');
  }

  get #pidPath(): string {
    return join(this.path, 'strata-up.pid');
  }

  /** Claims the directory for `name`, or refuses if it belongs to another cluster. */
  async claim(name: string): Promise<void> {
    let existing: z.infer<typeof identitySchema> | undefined;
    try {
      existing = identitySchema.parse(JSON.parse(await readFile(this.#identityPath, 'utf8')));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new ClusterDirectoryError(
          `${this.#identityPath} is not a Strata cluster identity: ${(error as Error).message}`,
          { path: this.#identityPath },
          { cause: error },
        );
      }
    }
    if (existing !== undefined && existing.name !== name) {
      throw new ClusterDirectoryError(
        `${this.path} holds the local cluster "${existing.name}", not "${name}". Use another --dir for "${name}", or remove ${this.path} to start over.`,
        { path: this.path, existing: existing.name, requested: name },
      );
    }
    await mkdir(this.path, { recursive: true, mode: 0o700 });
    if (existing === undefined) {
      await writeFileAtomic(
        this.#identityPath,
        JSON.stringify({ name, platform: 'local', createdAt: new Date().toISOString() }, null, 2) + '\n',
      );
    }
  }

  /** The pid of the `strata up` running this cluster, if it is alive. */
  async runningPid(): Promise<number | undefined> {
    let record: z.infer<typeof pidSchema>;
    try {
      record = pidSchema.parse(JSON.parse(await readFile(this.#pidPath, 'utf8')));
    } catch {
      return undefined;
    }
    try {
      process.kill(record.pid, 0);
      return record.pid;
    } catch {
      return undefined;
    }
  }

  /**
   * Runs a `strata up`'s start, from its check that nothing runs the directory to its pid file, one process at a time.
   * Two started at once (an install's rerun beside the orphan of a killed run) would otherwise both pass the check and
   * both run the cluster. A start that died holding the lock leaves it to the next.
   */
  async whileStarting<T>(work: () => Promise<T>): Promise<T> {
    await mkdir(this.path, { recursive: true, mode: 0o700 });
    return withLockFile(join(this.path, 'strata-up.starting.lock'), work);
  }

  async writePid(): Promise<void> {
    await writeFileAtomic(
      this.#pidPath,
      JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }) + '\n',
    );
  }

  async removePid(): Promise<void> {
    await rm(this.#pidPath, { force: true });
  }
}
