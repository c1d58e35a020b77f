import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PUBLIC_FILE_MODE, SECRET_FILE_MODE, writeFileAtomic } from '@strata/host';
import type { PemPair } from './certificates.ts';

export interface PemPairPaths {
  readonly certificatePath: string;
  readonly privateKeyPath: string;
}

/** The file names Kubernetes tooling expects: `<name>.crt` beside `<name>.key`. */
export function pemPairPaths(directory: string, name: string): PemPairPaths {
  return { certificatePath: join(directory, `${name}.crt`), privateKeyPath: join(directory, `${name}.key`) };
}

/** Writes the certificate world-readable and the private key with mode 0600. */
export async function writePemPair(directory: string, name: string, pair: PemPair): Promise<PemPairPaths> {
  const paths = pemPairPaths(directory, name);
  await writeFileAtomic(paths.privateKeyPath, pair.privateKeyPem, SECRET_FILE_MODE);
  await writeFileAtomic(paths.certificatePath, pair.certificatePem, PUBLIC_FILE_MODE);
  return paths;
}

export async function readPemPair(directory: string, name: string): Promise<PemPair> {
  const paths = pemPairPaths(directory, name);
  const [certificatePem, privateKeyPem] = await Promise.all([
    readFile(paths.certificatePath, 'utf8'),
    readFile(paths.privateKeyPath, 'utf8'),
  ]);
  return { certificatePem, privateKeyPem };
}
