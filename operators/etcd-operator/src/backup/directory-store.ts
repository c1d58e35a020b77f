// Backups in a directory (a PVC mounted into the operator, or any local directory): written under a temporary name,
// fsynced, renamed, and the directory fsynced, so that a crash leaves either no backup or a whole one.
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BackupStoreError, SNAPSHOT_SUFFIX, type BackupStore, type StoredObject } from './store.ts';

const fsync = async (path: string, flags: string): Promise<void> => {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
};

const errorCode = (error: unknown): unknown => (error instanceof Error && 'code' in error ? error.code : undefined);

/** Removes a temporary file; ENOENT and ENOTDIR mean it was never created, which is the same outcome. */
async function removeTemporary(path: string): Promise<void> {
  try {
    await rm(path, { force: true });
  } catch (error) {
    if (errorCode(error) !== 'ENOTDIR') throw error;
  }
}

export class DirectoryStore implements BackupStore {
  readonly #directory: string;

  constructor(directory: string) {
    this.#directory = directory;
  }

  #fail(action: string, name: string, error: unknown): BackupStoreError {
    const reason = error instanceof Error ? error.message : String(error);
    return new BackupStoreError(
      `could not ${action} ${name} in ${this.#directory}: ${reason}`,
      { directory: this.#directory, name },
      { cause: error },
    );
  }

  async put(path: string, name: string): Promise<string> {
    const target = join(this.#directory, name);
    const temporary = join(this.#directory, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await mkdir(this.#directory, { recursive: true, mode: 0o700 });
      await copyFile(path, temporary);
      await fsync(temporary, 'r+');
      await rename(temporary, target);
      // The rename is durable only once the directory itself is on disk.
      await fsync(this.#directory, 'r');
    } catch (error) {
      await removeTemporary(temporary);
      throw this.#fail('store', name, error);
    }
    return target;
  }

  async list(): Promise<StoredObject[]> {
    let names: string[];
    try {
      names = await readdir(this.#directory);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return [];
      throw this.#fail('list', 'backups', error);
    }
    return names
      .filter((name) => !name.startsWith('.') && name.endsWith(SNAPSHOT_SUFFIX))
      .sort()
      .map((name) => ({ name, location: join(this.#directory, name) }));
  }

  async remove(name: string): Promise<void> {
    try {
      await rm(join(this.#directory, name), { force: true });
    } catch (error) {
      throw this.#fail('remove', name, error);
    }
  }

  async get(name: string, path: string): Promise<void> {
    try {
      await copyFile(join(this.#directory, name), path);
    } catch (error) {
      throw this.#fail('read', name, error);
    }
  }

  close(): void {
    // Nothing is held open between calls.
  }
}
