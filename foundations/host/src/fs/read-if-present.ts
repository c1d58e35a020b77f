import { readFile } from 'node:fs/promises';

/** A file's text, or undefined when it does not exist; any other failure (permissions, a directory) is thrown. */
export async function readFileIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return undefined;
    throw error;
  }
}
