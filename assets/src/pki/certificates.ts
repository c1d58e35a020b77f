import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  type Extension,
  KeyUsageFlags,
  KeyUsagesExtension,
  type JsonName,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate,
  X509CertificateGenerator,
} from './x509.ts';
import { StrataError } from '@strata/api';
import type { CryptoKey, CryptoKeyPair } from './webcrypto-types.ts';
import {
  DEFAULT_KEY_ALGORITHM,
  generateKeyPair,
  importPrivateKeyPem,
  importPublicKeySpki,
  type KeyAlgorithm,
  keyAlgorithmOf,
  privateKeyToPem,
  signingAlgorithm,
} from './keys.ts';

export class CertificateRequestError extends StrataError {}

/**
 * What a certificate is for. It decides the key usages and extended key usages:
 * - server: TLS server (serverAuth), e.g. kube-apiserver's serving certificate;
 * - client: TLS client (clientAuth), e.g. the admin user or kube-apiserver → etcd;
 * - peer: both, as etcd members use one certificate to serve and to dial each other.
 */
export type CertificateProfile = 'server' | 'client' | 'peer';

export interface CertificateRequest {
  readonly commonName: string;
  /** Kubernetes reads these as the user's groups. */
  readonly organizations?: readonly string[];
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly profile: CertificateProfile;
  readonly validityDays: number;
  /**
   * A lifetime in seconds, in place of validityDays: for certificates that are renewed automatically, whose
   * lifetime a test shortens to minutes to watch a renewal happen.
   */
  readonly validitySeconds?: number;
  readonly keyAlgorithm?: KeyAlgorithm;
}

export interface CertificateAuthorityRequest {
  readonly commonName: string;
  readonly validityDays: number;
  readonly keyAlgorithm?: KeyAlgorithm;
}

/** A certificate together with the key pair it certifies. */
export interface KeyedCertificate {
  readonly certificate: X509Certificate;
  readonly keys: CryptoKeyPair;
}

/** The same, serialized as the files that programs read. */
export interface PemPair {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

/**
 * Certificates start a little in the past so that a machine whose clock lags
 * the one that signed them still accepts them at first boot.
 */
const CLOCK_SKEW_ALLOWANCE_MS = 5 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

function validityWindow(
  validityDays: number,
  now: Date,
  validitySeconds?: number,
): { notBefore: Date; notAfter: Date } {
  if (validitySeconds !== undefined) {
    if (!Number.isInteger(validitySeconds) || validitySeconds < 1) {
      throw new CertificateRequestError(`validitySeconds must be a positive integer, got ${validitySeconds}`, {
        field: 'validitySeconds',
        value: validitySeconds,
      });
    }
    return {
      notBefore: new Date(now.getTime() - CLOCK_SKEW_ALLOWANCE_MS),
      notAfter: new Date(now.getTime() + validitySeconds * 1000),
    };
  }
  if (!Number.isInteger(validityDays) || validityDays < 1) {
    throw new CertificateRequestError(`validityDays must be a positive integer, got ${validityDays}`, {
      field: 'validityDays',
      value: validityDays,
    });
  }
  return {
    notBefore: new Date(now.getTime() - CLOCK_SKEW_ALLOWANCE_MS),
    notAfter: new Date(now.getTime() + validityDays * DAY_MS),
  };
}

/** A positive 127-bit serial number, as RFC 5280 asks (at most 20 octets, non-negative). */
function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

function subjectName(commonName: string, organizations: readonly string[] = []): JsonName {
  if (commonName.length === 0) {
    throw new CertificateRequestError('commonName must not be empty', { field: 'commonName' });
  }
  return [...organizations.map((organization) => ({ O: [organization] })), { CN: [commonName] }];
}

function subjectAlternativeNames(request: CertificateRequest): Extension[] {
  const dnsNames = request.dnsNames ?? [];
  const ipAddresses = request.ipAddresses ?? [];
  for (const ip of ipAddresses) {
    if (isIP(ip) === 0) {
      throw new CertificateRequestError(`"${ip}" is not an IP address`, {
        commonName: request.commonName,
        field: 'ipAddresses',
        value: ip,
      });
    }
  }
  if (dnsNames.length === 0 && ipAddresses.length === 0) return [];
  return [
    new SubjectAlternativeNameExtension([
      ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
      ...ipAddresses.map((value) => ({ type: 'ip' as const, value })),
    ]),
  ];
}

function usagesFor(profile: CertificateProfile, algorithm: KeyAlgorithm): Extension[] {
  // RSA keys encipher the TLS key exchange in old cipher suites; ECDSA keys only sign.
  const keyUsage =
    algorithm === 'rsa-2048'
      ? KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment
      : KeyUsageFlags.digitalSignature;
  const extended = {
    server: [ExtendedKeyUsage.serverAuth],
    client: [ExtendedKeyUsage.clientAuth],
    peer: [ExtendedKeyUsage.serverAuth, ExtendedKeyUsage.clientAuth],
  }[profile];
  return [new KeyUsagesExtension(keyUsage, true), new ExtendedKeyUsageExtension(extended, false)];
}

/** Reads back a certificate and its private key, e.g. to renew the certificate with the same key. */
export async function keyedCertificateFromPem(pair: PemPair): Promise<KeyedCertificate> {
  const certificate = new X509Certificate(pair.certificatePem);
  const publicKey = await importPublicKeySpki(
    certificate.publicKey.rawData,
    certificate.publicKey.algorithm as { name: string; namedCurve?: string },
  );
  const privateKey = await importPrivateKeyPem(pair.privateKeyPem, keyAlgorithmOf(publicKey));
  return { certificate, keys: { publicKey, privateKey } };
}

export async function toPemPair(keyed: KeyedCertificate): Promise<PemPair> {
  return {
    certificatePem: keyed.certificate.toString('pem') + '\n',
    privateKeyPem: (await privateKeyToPem(keyed.keys.privateKey)) + '\n',
  };
}

/**
 * A certificate authority that can issue server, client and peer certificates.
 * It holds its private key in memory only; callers decide where the PEM goes.
 */
export class CertificateAuthority implements KeyedCertificate {
  readonly certificate: X509Certificate;
  readonly keys: CryptoKeyPair;

  private constructor(certificate: X509Certificate, keys: CryptoKeyPair) {
    this.certificate = certificate;
    this.keys = keys;
  }

  static async create(
    request: CertificateAuthorityRequest,
    now: Date = new Date(),
    existingKeys?: CryptoKeyPair,
  ): Promise<CertificateAuthority> {
    const keys = existingKeys ?? (await generateKeyPair(request.keyAlgorithm ?? DEFAULT_KEY_ALGORITHM));
    const algorithm = keyAlgorithmOf(keys.publicKey);
    const certificate = await X509CertificateGenerator.createSelfSigned({
      serialNumber: randomSerialNumber(),
      name: subjectName(request.commonName),
      ...validityWindow(request.validityDays, now),
      signingAlgorithm: signingAlgorithm(algorithm),
      keys,
      extensions: [
        new BasicConstraintsExtension(true, undefined, true),
        new KeyUsagesExtension(
          KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign | KeyUsageFlags.digitalSignature,
          true,
        ),
        await SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    return new CertificateAuthority(certificate, keys);
  }

  /** Loads a CA that an earlier run wrote, so that a re-run keeps the cluster's trust root. */
  static async fromPem(pair: PemPair): Promise<CertificateAuthority> {
    const { certificate, keys } = await keyedCertificateFromPem(pair);
    return new CertificateAuthority(certificate, keys);
  }

  get keyAlgorithm(): KeyAlgorithm {
    return keyAlgorithmOf(this.keys.publicKey);
  }

  /**
   * Issues a certificate. `existingKeys` re-certifies a key pair made earlier,
   * so that renewing a certificate (new SANs, new validity) keeps its key.
   */
  async issue(
    request: CertificateRequest,
    now: Date = new Date(),
    existingKeys?: CryptoKeyPair,
  ): Promise<KeyedCertificate> {
    const keys = existingKeys ?? (await generateKeyPair(request.keyAlgorithm ?? DEFAULT_KEY_ALGORITHM));
    return { certificate: await this.certify(request, keys.publicKey, now), keys };
  }

  /**
   * Certifies a public key whose private key this CA never sees: a signer answering a certificate signing request
   * made where the key lives.
   */
  async certify(request: CertificateRequest, publicKey: CryptoKey, now: Date = new Date()): Promise<X509Certificate> {
    const algorithm = keyAlgorithmOf(publicKey);
    return X509CertificateGenerator.create({
      serialNumber: randomSerialNumber(),
      subject: subjectName(request.commonName, request.organizations),
      issuer: this.certificate.subject,
      ...validityWindow(request.validityDays, now, request.validitySeconds),
      signingAlgorithm: signingAlgorithm(this.keyAlgorithm),
      publicKey,
      signingKey: this.keys.privateKey,
      extensions: [
        new BasicConstraintsExtension(false, undefined, true),
        ...usagesFor(request.profile, algorithm),
        ...subjectAlternativeNames(request),
        await SubjectKeyIdentifierExtension.create(publicKey),
        await AuthorityKeyIdentifierExtension.create(this.keys.publicKey),
      ],
    });
  }
}
