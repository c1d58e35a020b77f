import { stringify } from 'yaml';
import { SECRET_FILE_MODE, writeFileAtomic } from '@strata/host';
import type { PemPair } from '../pki/certificates.ts';

export interface KubeconfigInput {
  readonly clusterName: string;
  /** The API server URL, e.g. https://127.0.0.1:6443. */
  readonly server: string;
  /** PEM of the CA that signed the API server's serving certificate. */
  readonly certificateAuthorityPem: string;
  readonly userName: string;
  /** A client certificate, or a bearer token (kubelet TLS bootstrapping uses a bootstrap token). */
  readonly credentials: PemPair | { readonly token: string };
}

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/**
 * A self-contained kubeconfig (certificates embedded, not referenced by path)
 * so that it keeps working when copied to another machine.
 */
export function renderKubeconfig(input: KubeconfigInput): string {
  const context = `${input.userName}@${input.clusterName}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: input.clusterName,
        cluster: { server: input.server, 'certificate-authority-data': base64(input.certificateAuthorityPem) },
      },
    ],
    users: [
      {
        name: input.userName,
        user:
          'token' in input.credentials
            ? { token: input.credentials.token }
            : {
                'client-certificate-data': base64(input.credentials.certificatePem),
                'client-key-data': base64(input.credentials.privateKeyPem),
              },
      },
    ],
    contexts: [{ name: context, context: { cluster: input.clusterName, user: input.userName } }],
    'current-context': context,
    preferences: {},
  });
}

/** Kubeconfigs carry private keys, so they are written with mode 0600. */
export async function writeKubeconfig(path: string, input: KubeconfigInput): Promise<void> {
  await writeFileAtomic(path, renderKubeconfig(input), SECRET_FILE_MODE);
}
