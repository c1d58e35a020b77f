import { webcrypto } from 'node:crypto';
import { PemConverter } from './x509.ts';
import { StrataError } from '@strata/api';
import type {
  CryptoKey,
  CryptoKeyPair,
  EcdsaParams,
  EcKeyAlgorithm,
  EcKeyImportParams,
  KeyUsage,
  RsaHashedImportParams,
  RsaHashedKeyAlgorithm,
} from './webcrypto-types.ts';

export type KeyAlgorithm = 'ecdsa-p256' | 'rsa-2048';

export const DEFAULT_KEY_ALGORITHM: KeyAlgorithm = 'ecdsa-p256';

export class KeyFormatError extends StrataError {}

const subtle = webcrypto.subtle;

type SigningAlgorithm = (EcKeyImportParams & EcdsaParams) | RsaHashedImportParams;

/** The WebCrypto parameters for generating, importing and signing with each algorithm. */
export function signingAlgorithm(algorithm: KeyAlgorithm): SigningAlgorithm {
  switch (algorithm) {
    case 'ecdsa-p256':
      return { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
    case 'rsa-2048':
      return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  }
}

export async function generateKeyPair(algorithm: KeyAlgorithm = DEFAULT_KEY_ALGORITHM): Promise<CryptoKeyPair> {
  const usages: KeyUsage[] = ['sign', 'verify'];
  if (algorithm === 'rsa-2048') {
    return subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      usages,
    );
  }
  return subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, usages);
}

/** PKCS#8 PEM ("PRIVATE KEY"), which Kubernetes, etcd and OpenSSL all read. */
export async function privateKeyToPem(key: CryptoKey): Promise<string> {
  return PemConverter.encode(await subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** SubjectPublicKeyInfo PEM ("PUBLIC KEY"). */
export async function publicKeyToPem(key: CryptoKey): Promise<string> {
  return PemConverter.encode(await subtle.exportKey('spki', key), 'PUBLIC KEY');
}

export async function importPrivateKeyPem(pem: string, algorithm: KeyAlgorithm): Promise<CryptoKey> {
  const blocks = PemConverter.decodeWithHeaders(pem).filter((block) => block.type === 'PRIVATE KEY');
  const first = blocks[0];
  if (first === undefined) {
    throw new KeyFormatError('expected a PKCS#8 "PRIVATE KEY" PEM block', { algorithm });
  }
  return subtle.importKey('pkcs8', first.rawData, signingAlgorithm(algorithm), true, ['sign']);
}

/**
 * Imports the public key of a certificate (its SubjectPublicKeyInfo), given
 * the algorithm name the certificate declares.
 */
export async function importPublicKeySpki(
  der: ArrayBuffer,
  declared: { name: string; namedCurve?: string },
): Promise<CryptoKey> {
  const params: EcKeyImportParams | RsaHashedImportParams | undefined =
    declared.name === 'ECDSA' && declared.namedCurve === 'P-256'
      ? { name: 'ECDSA', namedCurve: 'P-256' }
      : declared.name === 'RSASSA-PKCS1-v1_5'
        ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
        : undefined;
  if (params === undefined) {
    throw new KeyFormatError(`unsupported public key algorithm ${declared.name} ${declared.namedCurve ?? ''}`.trim(), {
      algorithm: declared.name,
    });
  }
  const key = await subtle.importKey('spki', der, params, true, ['verify']);
  keyAlgorithmOf(key);
  return key;
}

/** Tells the algorithm of a WebCrypto key, so that a key read from disk is used as it was made. */
export function keyAlgorithmOf(key: CryptoKey): KeyAlgorithm {
  const algorithm = key.algorithm as Partial<EcKeyAlgorithm & RsaHashedKeyAlgorithm>;
  if (algorithm.name === 'ECDSA' && algorithm.namedCurve === 'P-256') return 'ecdsa-p256';
  if (algorithm.name === 'RSASSA-PKCS1-v1_5' && algorithm.modulusLength === 2048) return 'rsa-2048';
  throw new KeyFormatError(`unsupported key algorithm ${String(algorithm.name)}`, { algorithm: algorithm.name });
}
