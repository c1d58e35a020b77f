// The secrets a cluster directory holds, as the strings that would betray them
// if they showed up in a log, the journal, the output or the Pulumi state.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ASSET_PATHS, parseJoinTokenFile } from '@strata/assets';

export interface Secret {
  readonly what: string;
  /** Whitespace-free text to look for. */
  readonly needle: string;
}

export async function filesUnder(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

const pemBody = (pem: string) => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');

/** Every private key's body, the join tokens, the encryption keys, the console's session key and token, and the state's passphrase. */
export async function secretsOf(dir: string): Promise<Secret[]> {
  const secrets: Secret[] = [];
  for (const path of await filesUnder(join(dir, 'assets', 'tls'))) {
    if (path.endsWith('.key')) secrets.push({ what: path, needle: pemBody(await readFile(path, 'utf8')) });
    if (path.endsWith('encryption-config.yaml')) {
      for (const match of (await readFile(path, 'utf8')).matchAll(/secret:\s*(\S+)/g))
        secrets.push({ what: `${path} (encryption key)`, needle: match[1] ?? '' });
    }
  }
  // Every machine's own join token (`<id>.<secret>`, as a kubeconfig carries it).
  for (const path of await filesUnder(join(dir, 'assets', 'auth', 'bootstrap'))) {
    if (!path.endsWith('.token.json')) continue;
    const token = parseJoinTokenFile(path, await readFile(path, 'utf8'));
    secrets.push({ what: `${path} (join token)`, needle: `${token.id}.${token.secret}` });
  }
  // The console's session key, and the sign-in token strata install (or the daemon's strata up) wrote, if any.
  for (const path of [join(dir, 'assets', ASSET_PATHS.consoleSessionSecret), join(dir, 'console-token')]) {
    const text = await readFile(path, 'utf8').catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    });
    if (text !== undefined) secrets.push({ what: path, needle: text.trim() });
  }
  secrets.push({
    what: 'the state passphrase',
    needle: (await readFile(join(dir, 'state', 'passphrase'), 'utf8')).trim(),
  });
  return secrets.filter((secret) => secret.needle.length >= 16);
}
