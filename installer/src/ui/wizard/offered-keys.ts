// The public keys the access screen offers: ~/.ssh/*.pub, each file's first key line.
import { readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { OfferedKey } from './answers.ts';

export async function offeredKeys(home: string = homedir()): Promise<OfferedKey[]> {
  const dir = join(home, '.ssh');
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const keys: OfferedKey[] = [];
  for (const name of names.filter((entry) => entry.endsWith('.pub')).sort()) {
    const line = (await readFile(join(dir, name), 'utf8')).split('\n').find((text) => text.trim() !== '');
    // A .pub file that holds anything but a public key line is not offered: it might be a misnamed secret.
    if (line !== undefined && !line.includes('PRIVATE KEY')) keys.push({ path: join(dir, name), line: line.trim() });
  }
  return keys;
}

/**
 * The private keys the bare-metal access screen offers as the SSH identity:
 * ~/.ssh/id_* without .pub, by path only. Their content is not read here: the
 * identity check reads the chosen one through ssh-keygen, and nothing shows it.
 */
export async function offeredIdentities(home: string = homedir()): Promise<string[]> {
  const dir = join(home, '.ssh');
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries
    .filter((entry) => entry.isFile() && /^id_[^.]+$/.test(entry.name))
    .map((entry) => join(dir, entry.name))
    .sort();
}
