export {
  CertificateAuthority,
  CertificateRequestError,
  keyedCertificateFromPem,
  toPemPair,
  type CertificateAuthorityRequest,
  type CertificateProfile,
  type CertificateRequest,
  type KeyedCertificate,
  type PemPair,
} from './certificates.ts';
export {
  certificateSigningRequestPublicKey,
  createCertificateSigningRequest,
  readCertificateSigningRequest,
  type CertificateSigningRequestContents,
  type SubjectAltName,
  type CertificateSigningRequestInput,
  type CertificateSigningRequestPem,
} from './csr.ts';
export { generateKeyPair, KeyFormatError, type KeyAlgorithm } from './keys.ts';
export { generateServiceAccountKeyPair, type ServiceAccountKeyPair } from './service-account.ts';
export { pemPairPaths, readPemPair, writePemPair, type PemPairPaths } from './files.ts';
