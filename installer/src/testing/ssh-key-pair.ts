// An SSH key pair for tests, made by ssh-keygen as a user makes one: no
// passphrase, the private half at mode 0600, the public half beside it.
import { readFile } from 'node:fs/promises';
import { runCommand } from '@strata/host';

export interface SshKeyPair {
  readonly privateKey: string;
  /** The .pub file's line. */
  readonly publicKey: string;
}

export async function makeSshKeyPair(privateKey: string, comment = 'strata-test'): Promise<SshKeyPair> {
  const made = await runCommand('/usr/bin/ssh-keygen', [
    '-q',
    '-t',
    'ed25519',
    '-N',
    '',
    '-C',
    comment,
    '-f',
    privateKey,
  ]);
  if (made.code !== 0) throw new Error(`ssh-keygen: ${made.stderr}`);
  return { privateKey, publicKey: (await readFile(`${privateKey}.pub`, 'utf8')).trim() };
}
