import { Pkcs10CertificateRequestGenerator } from './x509.ts';
import { CertificateRequestError } from './certificates.ts';
import {
  DEFAULT_KEY_ALGORITHM,
  generateKeyPair,
  type KeyAlgorithm,
  privateKeyToPem,
  signingAlgorithm,
} from './keys.ts';

export interface CertificateSigningRequestInput {
  readonly commonName: string;
  /** Kubernetes reads these as the user's groups, e.g. system:nodes. */
  readonly organizations?: readonly string[];
  readonly keyAlgorithm?: KeyAlgorithm;
}

export interface CertificateSigningRequestPem {
  /** PKCS#10 "CERTIFICATE REQUEST" PEM, as a CertificateSigningRequest's spec.request carries it (base64 of this). */
  readonly csrPem: string;
  /** The PKCS#8 key the request was signed with; it never leaves the requester. */
  readonly privateKeyPem: string;
}

/**
 * A new key pair and a PKCS#10 request for a certificate of it, as a kubelet
 * makes when it bootstraps or rotates its client certificate. The request has
 * a subject only: the signer decides usages and validity.
 */
export async function createCertificateSigningRequest(
  input: CertificateSigningRequestInput,
): Promise<CertificateSigningRequestPem> {
  if (input.commonName.length === 0) {
    throw new CertificateRequestError('commonName must not be empty', { field: 'commonName' });
  }
  const algorithm = input.keyAlgorithm ?? DEFAULT_KEY_ALGORITHM;
  const keys = await generateKeyPair(algorithm);
  const request = await Pkcs10CertificateRequestGenerator.create({
    // Organizations first, as Go's pkix.Name marshals them, so the subject reads like one the kubelet sends.
    name: [...(input.organizations ?? []).map((organization) => ({ O: [organization] })), { CN: [input.commonName] }],
    signingAlgorithm: signingAlgorithm(algorithm),
    keys,
  });
  return {
    csrPem: request.toString('pem') + '\n',
    privateKeyPem: (await privateKeyToPem(keys.privateKey)) + '\n',
  };
}
