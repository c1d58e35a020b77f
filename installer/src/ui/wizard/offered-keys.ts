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
