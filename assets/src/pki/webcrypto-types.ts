// Node's WebCrypto types live in the `webcrypto` namespace of node:crypto, not
// in globals (that would need the DOM lib). One place names them for the PKI.
import type { webcrypto } from 'node:crypto';

export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;
export type KeyUsage = webcrypto.KeyUsage;
export type EcKeyImportParams = webcrypto.EcKeyImportParams;
export type EcdsaParams = webcrypto.EcdsaParams;
export type RsaHashedImportParams = webcrypto.RsaHashedImportParams;
export type EcKeyAlgorithm = webcrypto.EcKeyAlgorithm;
export type RsaHashedKeyAlgorithm = webcrypto.RsaHashedKeyAlgorithm;
