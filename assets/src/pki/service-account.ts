import { generateKeyPair, type KeyAlgorithm, privateKeyToPem, publicKeyToPem } from './keys.ts';

export interface ServiceAccountKeyPair {
  /** kube-apiserver --service-account-signing-key-file and controller-manager --service-account-private-key-file. */
  readonly privateKeyPem: string;
  /** kube-apiserver --service-account-key-file. */
  readonly publicKeyPem: string;
}

/** The key pair that signs and verifies service-account tokens (ES256 by default). */
export async function generateServiceAccountKeyPair(
  algorithm: KeyAlgorithm = 'ecdsa-p256',
): Promise<ServiceAccountKeyPair> {
  const keys = await generateKeyPair(algorithm);
  return {
    privateKeyPem: (await privateKeyToPem(keys.privateKey)) + '\n',
    publicKeyPem: (await publicKeyToPem(keys.publicKey)) + '\n',
  };
}
