// A test CA and a server certificate for 127.0.0.1 from it, from the project's own PKI: the OpenID provider and the
// recording proxy serve HTTPS with it, and everything that talks to them trusts this CA alone.
import { createHash, X509Certificate } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CertificateAuthority, toPemPair, type PemPair } from '@strata/assets';

export interface TestTls {
  readonly caPem: string;
  readonly caPath: string;
  readonly server: PemPair;
  /** The base64 SHA-256 of the server key's SubjectPublicKeyInfo, as Chromium pins it. */
  readonly serverSpki: string;
}

export async function createTestTls(dir: string): Promise<TestTls> {
  const ca = await CertificateAuthority.create({ commonName: 'strata-console-test-ca', validityDays: 1 });
  const server = await toPemPair(
    await ca.issue({ commonName: '127.0.0.1', ipAddresses: ['127.0.0.1'], profile: 'server', validityDays: 1 }),
  );
  const caPem = (await toPemPair(ca)).certificatePem;
  const caPath = join(dir, 'test-ca.crt');
  await writeFile(caPath, caPem);
  const spki = new X509Certificate(server.certificatePem).publicKey.export({ type: 'spki', format: 'der' });
  return { caPem, caPath, server, serverSpki: createHash('sha256').update(spki).digest('base64') };
}
