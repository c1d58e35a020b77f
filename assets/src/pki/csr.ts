import {
  Pkcs10CertificateRequest,
  Pkcs10CertificateRequestGenerator,
  SubjectAlternativeNameExtension,
} from './x509.ts';
import { CertificateRequestError } from './certificates.ts';
import type { CryptoKey } from './webcrypto-types.ts';
import {
  DEFAULT_KEY_ALGORITHM,
  generateKeyPair,
  importPublicKeySpki,
  type KeyAlgorithm,
  privateKeyToPem,
  signingAlgorithm,
} from './keys.ts';

export interface CertificateSigningRequestInput {
  readonly commonName: string;
  /** Kubernetes reads these as the user's groups, e.g. system:nodes. */
  readonly organizations?: readonly string[];
  readonly keyAlgorithm?: KeyAlgorithm;
  /** Subject alternative names to ask for, as a kubelet asks for its serving certificate. */
  readonly subjectAltNames?: readonly SubjectAltName[];
}

/** A subject alternative name: DNS name, IP address, e-mail address, URI, or another kind x509 knows. */
export interface SubjectAltName {
  readonly type: 'dns' | 'ip' | 'email' | 'url' | 'dn' | 'guid' | 'upn' | 'id';
  readonly value: string;
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
    ...(input.subjectAltNames === undefined || input.subjectAltNames.length === 0
      ? {}
      : { extensions: [new SubjectAlternativeNameExtension(input.subjectAltNames.map((name) => ({ ...name })))] }),
  });
  return {
    csrPem: request.toString('pem') + '\n',
    privateKeyPem: (await privateKeyToPem(keys.privateKey)) + '\n',
  };
}

/** What a PKCS#10 request asks for, as a signer or an approver must judge it. */
export interface CertificateSigningRequestContents {
  /** Every CN of the subject (a well-formed kubelet request has exactly one). */
  readonly commonNames: readonly string[];
  readonly organizations: readonly string[];
  /** Subject fields other than CN and O, by name (OU, C, ...), which a kubelet never sends. */
  readonly otherSubjectFields: readonly string[];
  /** OIDs of the extensions requested (2.5.29.17 is subjectAltName). */
  readonly extensionOids: readonly string[];
  /** The subject alternative names requested, in order. */
  readonly subjectAltNames: readonly SubjectAltName[];
  /** Whether the request is signed by the key it carries (proof of possession). */
  readonly signatureValid: boolean;
}

const SUBJECT_FIELDS_JUDGED = new Set(['CN', 'O']);
const SUBJECT_ALT_NAME_OID = '2.5.29.17';

/** Parses a PEM "CERTIFICATE REQUEST"; throws CertificateRequestError when it is not one. */
export async function readCertificateSigningRequest(pem: string): Promise<CertificateSigningRequestContents> {
  let request: Pkcs10CertificateRequest;
  try {
    request = new Pkcs10CertificateRequest(pem);
  } catch (error) {
    throw new CertificateRequestError('not a PEM certificate request', { field: 'request' }, { cause: error });
  }
  const subject = request.subjectName;
  const fieldNames = subject
    .toJSON()
    .flatMap((entry) => Object.keys(entry))
    .filter((name) => !SUBJECT_FIELDS_JUDGED.has(name));
  return {
    commonNames: subject.getField('CN'),
    organizations: subject.getField('O'),
    otherSubjectFields: fieldNames,
    extensionOids: [...request.extensions].map((extension) => extension.type),
    subjectAltNames: [...request.extensions]
      .filter((extension) => extension.type === SUBJECT_ALT_NAME_OID)
      .flatMap((extension) => new SubjectAlternativeNameExtension(extension.rawData).names.items)
      .map((name) => ({ type: name.type, value: name.value })),
    signatureValid: await request.verify(),
  };
}

/** The public key a PEM "CERTIFICATE REQUEST" asks to have certified (CertificateAuthority.certify takes it). */
export async function certificateSigningRequestPublicKey(pem: string): Promise<CryptoKey> {
  try {
    const { publicKey } = new Pkcs10CertificateRequest(pem);
    return await importPublicKeySpki(publicKey.rawData, publicKey.algorithm as { name: string; namedCurve?: string });
  } catch (error) {
    throw new CertificateRequestError(
      'not a PEM certificate request with a usable key',
      { field: 'request' },
      { cause: error },
    );
  }
}
