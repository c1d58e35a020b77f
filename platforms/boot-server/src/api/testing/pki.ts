// Credentials for the write API made with Strata's own PKI, as an operator
// would make them: a CA, a serving certificate for the API's address, and a
// client certificate for whoever writes.
import { CertificateAuthority, toPemPair, type PemPair } from '@strata/assets';
import type { BootApiEndpoint } from '@strata/api';
import type { WriteApiTls } from '../server.ts';

export interface WriteApiCredentials {
  readonly caPem: string;
  readonly server: PemPair;
  readonly client: PemPair;
  /** What startWriteApi takes. */
  readonly serverTls: WriteApiTls;
  /** What BootApiClient takes, for a server at `url`. */
  endpoint(url: string): BootApiEndpoint;
}

export interface WriteApiCredentialsOptions {
  /** Names on the serving certificate; default 127.0.0.1 and localhost. */
  readonly ipAddresses?: readonly string[];
  readonly dnsNames?: readonly string[];
  readonly clientName?: string;
}

export async function writeApiCredentials(options: WriteApiCredentialsOptions = {}): Promise<WriteApiCredentials> {
  const ca = await CertificateAuthority.create({ commonName: 'strata-boot-server-ca', validityDays: 2 });
  const caPem = (await toPemPair(ca)).certificatePem;
  const server = await toPemPair(
    await ca.issue({
      commonName: 'strata-boot-server',
      ipAddresses: options.ipAddresses ?? ['127.0.0.1'],
      dnsNames: options.dnsNames ?? ['localhost'],
      profile: 'server',
      validityDays: 2,
    }),
  );
  const client = await toPemPair(
    await ca.issue({ commonName: options.clientName ?? 'strata-boot-writer', profile: 'client', validityDays: 2 }),
  );
  return {
    caPem,
    server,
    client,
    serverTls: { caPem, certPem: server.certificatePem, keyPem: server.privateKeyPem },
    endpoint: (url) => ({ url, caPem, certPem: client.certificatePem, keyPem: client.privateKeyPem }),
  };
}
