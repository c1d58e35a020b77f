// A CA and one server certificate made with openssl for a test's lifetime: what a registry on a test address serves.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '@strata/host';

export interface ThrowawayTls {
  readonly caFile: string;
  /** The CA certificate (PEM): what clients trust. */
  readonly ca: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface ThrowawayTlsOptions {
  /** Where the files go. */
  readonly dir: string;
  /** The names the server certificate carries: IP addresses and DNS names. */
  readonly ipAddresses?: readonly string[];
  readonly dnsNames?: readonly string[];
  /** Distinguishes two CAs in one test (a wrong CA is another throwaway one). */
  readonly name?: string;
}

async function openssl(args: readonly string[]): Promise<void> {
  const result = await runCommand('openssl', args);
  if (result.code !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr}`);
}

/** A P-256 CA valid for a day and a server certificate it signed for the given names. */
export async function throwawayTls(options: ThrowawayTlsOptions): Promise<ThrowawayTls> {
  const name = options.name ?? 'test';
  const file = (suffix: string): string => join(options.dir, `${name}-${suffix}`);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
    '-days',
    '1',
    '-subj',
    `/CN=strata ${name} CA`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  ]);
  await openssl(['req', ...ec, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', `/CN=${name}`]);
  const names = [
    ...(options.ipAddresses ?? []).map((ip) => `IP:${ip}`),
    ...(options.dnsNames ?? []).map((dns) => `DNS:${dns}`),
  ];
  await writeFile(
    file('server.ext'),
    `subjectAltName=${names.join(',')}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
  );
  await openssl([
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    file('server.ext'),
    '-out',
    file('server.pem'),
  ]);
  return {
    caFile: file('ca.pem'),
    ca: await readFile(file('ca.pem'), 'utf8'),
    certFile: file('server.pem'),
    keyFile: file('server.key'),
  };
}
