// What update_engine on a machine trusts: the system's roots and the PEM files
// Ignition put in /etc/ssl/certs (the cluster CA, for the cluster's own update
// server; a config's trustedCaCertificates).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { InvalidOsInputError } from './errors.ts';

export const TRUST_STORE = '/etc/ssl/certs';

/** The PEM bundle of the system roots plus every `.pem` in `<root>/etc/ssl/certs`. */
export async function machineTrustStore(root: string): Promise<string> {
  const dir = join(root, TRUST_STORE);
  const names = await readdir(dir).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new InvalidOsInputError(`cannot read ${TRUST_STORE} on the machine's disk`, { dir }, { cause: error });
  });
  const added = await Promise.all(
    names.filter((name) => name.endsWith('.pem')).map((name) => readFile(join(dir, name), 'utf8')),
  );
  return [...rootCertificates, ...added].join('\n');
}
