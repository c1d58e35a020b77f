import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';

/** Permission for private keys, kubeconfigs and anything else that grants access. */
export const SECRET_FILE_MODE = 0o600;
export const PUBLIC_FILE_MODE = 0o644;

/**
 * Fills a temporary file beside `path`, created with the final mode, and renames it over `path` once it is whole and
 * synced: readers see the old content or the new one, never a torn write, and a secret never exists on disk with a
 * wider mode than asked for.
 */
async function replaceAtomically(path: string, mode: number, fill: (handle: FileHandle) => Promise<void>) {
  await mkdir(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', mode);
  try {
    await fill(handle);
    // The umask may have narrowed the mode at creation; set it explicitly.
    await handle.chmod(mode);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temporary, path);
}

/** Writes a file atomically, with its final mode from the start (see `replaceAtomically`). */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  mode: number = PUBLIC_FILE_MODE,
): Promise<void> {
  await replaceAtomically(path, mode, (handle) => handle.writeFile(data));
}

/** Copies `source` to `path` atomically, streamed (an image of hundreds of MiB is never held in memory). */
export async function copyFileAtomic(source: string, path: string, mode: number = PUBLIC_FILE_MODE): Promise<void> {
  await replaceAtomically(path, mode, async (handle) => {
    // Through the handle itself (writeFile writes a chunk whole, at the current position): a write stream on it would
    // close it before the sync.
    for await (const chunk of createReadStream(source)) await handle.writeFile(chunk as Buffer);
  });
}
