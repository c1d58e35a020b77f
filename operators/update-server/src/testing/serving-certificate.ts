// A throwaway CA and a serving certificate (for 127.0.0.1 unless told another address), for tests of the server over
// HTTPS.
import { CertificateAuthority, toPemPair } from '@strata/assets';

export interface TestServingCertificate {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

export async function aServingCertificate(ipAddress = '127.0.0.1'): Promise<TestServingCertificate> {
  const ca = await CertificateAuthority.create({ commonName: 'strata-update-server-test-ca', validityDays: 1 });
  const serving = await toPemPair(
    await ca.issue({
      commonName: 'strata-update-server',
      ipAddresses: [ipAddress],
      profile: 'server',
      validityDays: 1,
    }),
  );
  return {
    caPem: (await toPemPair(ca)).certificatePem,
    certPem: serving.certificatePem,
    keyPem: serving.privateKeyPem,
  };
}
